// Clock divider: a one-cycle enable strobe every max(div_i, 1) system clocks. Divisors 0 and
// 1 both give a strobe on every clock (the strobe never stops). The compare is ">=", so a
// divisor that shrinks while counting takes effect at once. No derived clocks.
`default_nettype none

module tern_strobe_div (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [15:0] div_i,
  output logic        stb_o
);
  logic [15:0] cnt_d, cnt_q;
  logic        stb_d, stb_q;
  logic [16:0] next;

  always_comb begin
    next = {1'b0, cnt_q} + 17'd1;
    if (next >= {1'b0, div_i}) begin
      cnt_d = 16'd0;
      stb_d = 1'b1;
    end else begin
      cnt_d = next[15:0];
      stb_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= 16'd0;
      stb_q <= 1'b0;
    end else begin
      cnt_q <= cnt_d;
      stb_q <= stb_d;
    end
  end

  assign stb_o = stb_q;
endmodule

`default_nettype wire
