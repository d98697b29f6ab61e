// MOS fault input: active-low pin, 2-flop synchronised, then a glitch filter. fault_o is
// high while the synchronised fault has been active for more than filt_i clocks in a row
// (filt_i == 0: as soon as it is seen).
`default_nettype none

module tern_fault_filter (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       fault_ni,
  input  logic [7:0] filt_i,
  output logic       fault_o
);
  logic fault_n_s;
  logic [7:0] cnt_d, cnt_q;

  tern_sync2 #(.Width(1), .ResetValue(1'b1)) u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (fault_ni),
    .q_o    (fault_n_s)
  );

  always_comb begin
    if (fault_n_s) begin
      cnt_d = 8'd0;
    end else begin
      cnt_d = (cnt_q == 8'hFF) ? 8'hFF : cnt_q + 8'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= 8'd0;
    end else begin
      cnt_q <= cnt_d;
    end
  end

  assign fault_o = ~fault_n_s & (cnt_q >= filt_i);
endmodule

`default_nettype wire
