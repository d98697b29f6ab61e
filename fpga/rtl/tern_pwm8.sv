// Slow 8-bit PWM outputs (fans, meters): one 256-tick counter on tick_i shared by the
// channels; channel n is on for duty_i[n] ticks of the 256 (0xFF = fully on, 0 = off). The
// outputs are flops; while safe_i (the NEXT safe state) they take SafeValue.
`default_nettype none

module tern_pwm8 #(
  parameter int unsigned          NumCh     = 2,
  parameter logic [NumCh-1:0]     SafeValue = '0
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 tick_i,
  input  logic                 safe_i,
  input  logic [NumCh-1:0][7:0] duty_i,
  output logic [NumCh-1:0]     out_o
);
  logic [7:0]       cnt_d, cnt_q;
  logic [NumCh-1:0] on, out_d, out_q;

  always_comb begin
    cnt_d = tick_i ? cnt_q + 8'd1 : cnt_q;
    for (int unsigned i = 0; i < NumCh; i++) begin
      on[i] = (duty_i[i] == 8'hFF) | (cnt_q < duty_i[i]);
    end
    out_d = safe_i ? SafeValue : on;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= 8'd0;
      out_q <= SafeValue;
    end else begin
      cnt_q <= cnt_d;
      out_q <= out_d;
    end
  end

  assign out_o = out_q;
endmodule

`default_nettype wire
