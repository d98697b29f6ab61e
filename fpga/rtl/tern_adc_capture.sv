// Capture of a slowly changing ADC value (the pot, the cabinet temperature): the value is
// synchronised bit by bit (2FF) and taken on a tick only when two consecutive tick samples
// agree, so a value caught while its bits change is never shown.
`default_nettype none

module tern_adc_capture #(
  parameter int unsigned Width = 12
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             tick_i,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);
  logic [Width-1:0] s, prev_d, prev_q, val_d, val_q;
  tern_sync2 #(.Width(Width), .ResetValue('0)) u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (d_i),
    .q_o    (s)
  );

  always_comb begin
    prev_d = prev_q;
    val_d  = val_q;
    if (tick_i) begin
      prev_d = s;
      if (s == prev_q) val_d = s;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prev_q <= '0;
      val_q  <= '0;
    end else begin
      prev_q <= prev_d;
      val_q  <= val_d;
    end
  end

  assign q_o = val_q;
endmodule

`default_nettype wire
