// Debounce filter for already-synchronised inputs: a changed input is accepted once it has
// differed from the accepted value for thresh_i consecutive ticks (tick_i strobes); any
// bounce back restarts the count. thresh_i == 0 passes the input through (one flop).
`default_nettype none

module tern_debounce #(
  parameter int unsigned      Width      = 1,
  parameter logic [Width-1:0] ResetValue = '0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             tick_i,
  input  logic [3:0]       thresh_i,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);
  logic [Width-1:0]      val_d, val_q;
  logic [Width-1:0][3:0] cnt_d, cnt_q;

  // The counters are all zero whenever every input equals its accepted value, which is
  // almost always: only walk the bits when some input differs (keeps simulation fast).
  always_comb begin
    val_d = val_q;
    cnt_d = '0;
    if (d_i != val_q) begin
      for (int unsigned i = 0; i < Width; i++) begin
        if (d_i[i] != val_q[i]) begin
          if (thresh_i == 4'd0) begin
            val_d[i] = d_i[i];
          end else if (!tick_i) begin
            cnt_d[i] = cnt_q[i];
          end else if (cnt_q[i] + 4'd1 >= thresh_i) begin
            val_d[i] = d_i[i];
          end else begin
            cnt_d[i] = cnt_q[i] + 4'd1;
          end
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      val_q <= ResetValue;
      cnt_q <= '0;
    end else begin
      val_q <= val_d;
      cnt_q <= cnt_d;
    end
  end

  assign q_o = val_q;
endmodule

`default_nettype wire
