// Cabinet: temperature input with an over-temperature flag, the UPS power-fail input, and
// two analog meter outputs.
// - Temperature: temp_i (a 12-bit sensor ADC value, changing slowly) is synchronised bit by
//   bit and captured on a debounce tick when two consecutive samples agree, like the pot.
//   over_temp sets once the captured value is >= high_i and clears once it is < low_i
//   (hysteresis: a value between the two keeps the flag as it is).
// - Power fail: pwr_fail_ni (active low, from the UPS) is synchronised and debounced like the
//   GPIO inputs; power_fail_o is 1 while the supply has failed.
// - Each change of over_temp or power_fail gives a one-clock event (INTR_STATE.temp/.power),
//   in the clock in which the flag changes.
// - Meters: 8-bit PWM on ramp_tick_i, on for duty ticks of 256 (0xFF = fully on); 0 in the
//   safe state (needles at rest). safe_i is the NEXT safe state, as for the other outputs.
`default_nettype none

module tern_cabinet (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        deb_tick_i,
  input  logic [3:0]  deb_thresh_i,
  input  logic        ramp_tick_i,
  input  logic        safe_i,
  input  logic [11:0] temp_i,
  input  logic        pwr_fail_ni,
  input  logic [11:0] high_i,
  input  logic [11:0] low_i,
  input  logic [7:0]  meter_duty0_i,
  input  logic [7:0]  meter_duty1_i,
  output logic [11:0] temp_o,
  output logic        over_temp_o,
  output logic        power_fail_o,
  output logic        temp_event_o,
  output logic        power_event_o,
  output logic [1:0]  meter_o
);
  // ---- temperature ----
  logic [11:0] temp_q;
  logic        over_d, over_q;
  tern_adc_capture #(.Width(12)) u_temp (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .tick_i (deb_tick_i),
    .d_i    (temp_i),
    .q_o    (temp_q)
  );
  assign over_d = over_q ? (temp_q >= low_i) : (temp_q >= high_i);

  // ---- power fail ----
  logic pwr_s, pwr_deb, pwr_prev_q;
  tern_sync2 #(.Width(1), .ResetValue(1'b1)) u_pwr_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (pwr_fail_ni),
    .q_o    (pwr_s)
  );
  tern_debounce #(.Width(1), .ResetValue(1'b0)) u_pwr_deb (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .tick_i   (deb_tick_i),
    .thresh_i (deb_thresh_i),
    .d_i      (~pwr_s),
    .q_o      (pwr_deb)
  );

  // ---- meters ----
  tern_pwm8 #(.NumCh(2), .SafeValue(2'b00)) u_meter (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .tick_i (ramp_tick_i),
    .safe_i (safe_i),
    .duty_i ({meter_duty1_i, meter_duty0_i}),
    .out_o  (meter_o)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      over_q     <= 1'b0;
      pwr_prev_q <= 1'b0;
    end else begin
      over_q     <= over_d;
      pwr_prev_q <= pwr_deb;
    end
  end

  assign temp_o        = temp_q;
  assign over_temp_o   = over_q;
  assign temp_event_o  = over_d ^ over_q;
  assign power_fail_o  = pwr_deb;
  assign power_event_o = pwr_deb ^ pwr_prev_q;
endmodule

`default_nettype wire
