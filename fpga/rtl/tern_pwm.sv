// MOS driver: 4 PWM channels on one shared period counter, each a complementary pair
// (hi_o[n] / lo_o[n]) with programmable dead time and optional soft start.
// - The counter advances on tick_i (DIV_PWM strobe). Period and duties are shadowed and
//   taken into use only at the period boundary (counter wrap). While a channel does not run
//   (disabled or safe) its duty in use is 0, so a channel enabled mid-period drives only its
//   low side until the next boundary, where it takes the programmed duty (or the ramp's
//   value with soft start). Without this a soft-start enable would switch the high side at
//   the full duty left in the shadow for the rest of the current period.
// - raw[n] = counter < duty[n]: hi side while raw, lo side otherwise, both off while the
//   channel is disabled or the board goes safe.
// - Dead time: a side turns on only after the other side has been off for >= dt_i clocks.
// - Soft start: the duty in use ramps from 0 by 1 per ramp_tick_i up to DUTY.
// - safe_i is the NEXT value of the safe state; outputs are flops, so they are off in every
//   cycle in which the safe state is set.
`default_nettype none

module tern_pwm #(
  parameter int unsigned NumCh = 4
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  tick_i,
  input  logic                  ramp_tick_i,
  input  logic                  safe_i,
  input  logic [NumCh-1:0]      en_i,
  input  logic [NumCh-1:0]      softstart_i,
  input  logic [7:0]            dt_i,
  input  logic [15:0]           period_i,
  input  logic [NumCh-1:0][15:0] duty_i,
  output logic [NumCh-1:0]      hi_o,
  output logic [NumCh-1:0]      lo_o,
  output logic [NumCh-1:0]      ramping_o
);
  logic [15:0]             cnt_d, cnt_q;
  logic [15:0]             per_d, per_q;     // period in use
  logic                    boundary;

  assign boundary = tick_i & ({1'b0, cnt_q} + 17'd1 >= {1'b0, per_q});

  always_comb begin
    cnt_d = cnt_q;
    per_d = per_q;
    if (tick_i) begin
      if (boundary) begin
        cnt_d = 16'd0;
        per_d = (period_i == 16'd0) ? 16'd1 : period_i;
      end else begin
        cnt_d = cnt_q + 16'd1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q <= 16'd0;
      per_q <= 16'd1;
    end else begin
      cnt_q <= cnt_d;
      per_q <= per_d;
    end
  end

  // One generate block per channel, on scalar signals (cheap to simulate).
  logic [NumCh-1:0] hi_q, lo_q;
  for (genvar g = 0; g < NumCh; g++) begin : g_ch
    logic [15:0] duty_d, duty_q;   // duty in use (shadow)
    logic [15:0] ramp_d, ramp_q;   // soft-start ramp
    logic [15:0] eff_duty;
    logic        hi_d, lo_d, run, raw, ramping;
    logic [7:0]  hi_off_d, hi_off_q, lo_off_d, lo_off_q;

    always_comb begin
      // soft-start ramp
      ramp_d = ramp_q;
      if (!en_i[g] || safe_i) begin
        ramp_d = 16'd0;
      end else if (!softstart_i[g]) begin
        ramp_d = duty_i[g];
      end else if (ramp_q > duty_i[g]) begin
        ramp_d = duty_i[g];
      end else if (ramp_tick_i && ramp_q < duty_i[g]) begin
        ramp_d = ramp_q + 16'd1;
      end
      ramping  = en_i[g] & softstart_i[g] & (ramp_q < duty_i[g]);
      eff_duty = ramping ? ramp_q : duty_i[g];
      run      = en_i[g] & ~safe_i;
      duty_d   = !run ? 16'd0 : (boundary ? eff_duty : duty_q);

      // complementary outputs with dead time
      raw      = (cnt_q < duty_q);
      hi_d     = run & raw & (lo_off_q >= dt_i);
      lo_d     = run & ~raw & (hi_off_q >= dt_i);
      hi_off_d = hi_d ? 8'd0 : ((hi_off_q == 8'hFF) ? 8'hFF : hi_off_q + 8'd1);
      lo_off_d = lo_d ? 8'd0 : ((lo_off_q == 8'hFF) ? 8'hFF : lo_off_q + 8'd1);
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        duty_q   <= 16'd0;
        ramp_q   <= 16'd0;
        hi_q[g]  <= 1'b0;
        lo_q[g]  <= 1'b0;
        hi_off_q <= 8'hFF;
        lo_off_q <= 8'hFF;
      end else begin
        duty_q   <= duty_d;
        ramp_q   <= ramp_d;
        hi_q[g]  <= hi_d;
        lo_q[g]  <= lo_d;
        hi_off_q <= hi_off_d;
        lo_off_q <= lo_off_d;
      end
    end

    assign ramping_o[g] = ramping;
  end

  assign hi_o = hi_q;
  assign lo_o = lo_q;

`ifndef SYNTHESIS
  PwmNoOverlap_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (hi_q & lo_q) == '0)
    else $error("PwmNoOverlap_A: hi=%b lo=%b", hi_q, lo_q);

  // Independent dead-time checker per channel: counts clocks with both gates of the pair off
  // since either was last on, and remembers which side that was.
  logic [7:0] dt_prev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dt_prev_q <= 8'd0;
    end else begin
      dt_prev_q <= dt_i;
    end
  end

  for (genvar g = 0; g < NumCh; g++) begin : g_dt_check
    logic [8:0] gap_q;
    logic       last_hi_q, last_lo_q, hi_prev_q, lo_prev_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        gap_q     <= 9'h1FF;
        last_hi_q <= 1'b0;
        last_lo_q <= 1'b0;
        hi_prev_q <= 1'b0;
        lo_prev_q <= 1'b0;
      end else begin
        gap_q     <= (hi_q[g] | lo_q[g]) ? 9'd0 : ((gap_q == 9'h1FF) ? 9'h1FF : gap_q + 9'd1);
        last_hi_q <= (hi_q[g] | lo_q[g]) ? hi_q[g] : last_hi_q;
        last_lo_q <= (hi_q[g] | lo_q[g]) ? lo_q[g] : last_lo_q;
        hi_prev_q <= hi_q[g];
        lo_prev_q <= lo_q[g];
      end
    end
    PwmDeadTimeHi_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        (hi_q[g] && !hi_prev_q && last_lo_q) |-> (gap_q >= {1'b0, dt_prev_q}))
      else $error("PwmDeadTimeHi_A: ch %0d gap %0d < dt %0d", g, gap_q, dt_prev_q);
    PwmDeadTimeLo_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        (lo_q[g] && !lo_prev_q && last_hi_q) |-> (gap_q >= {1'b0, dt_prev_q}))
      else $error("PwmDeadTimeLo_A: ch %0d gap %0d < dt %0d", g, gap_q, dt_prev_q);
  end

  // Independent soft-start checker per channel: from the moment a channel starts running
  // with soft start, the ramp can have risen by at most one per ramp tick, so the high side
  // may be on for at most that many PWM ticks in each period (counted from the period's
  // boundary; +1 for the output flop's one-clock lag across the boundary).
  logic [NumCh-1:0] run_now;
  assign run_now = en_i & {NumCh{~safe_i}};
  for (genvar g = 0; g < NumCh; g++) begin : g_ss_check
    logic        guard_d, guard_q, run_prev_q;
    logic [15:0] ramp_ticks_d, ramp_ticks_q, allow_d, allow_q, hi_ticks_d, hi_ticks_q;
    always_comb begin
      guard_d      = guard_q & run_now[g] & softstart_i[g];
      ramp_ticks_d = (ramp_tick_i && ramp_ticks_q != 16'hFFFF) ? ramp_ticks_q + 16'd1
                                                               : ramp_ticks_q;
      allow_d      = boundary ? ramp_ticks_q : allow_q;
      hi_ticks_d   = boundary ? 16'd0
                   : (tick_i && hi_q[g] && hi_ticks_q != 16'hFFFF) ? hi_ticks_q + 16'd1
                                                                   : hi_ticks_q;
      if (run_now[g] && !run_prev_q && softstart_i[g]) begin  // a soft start begins
        guard_d      = 1'b1;
        ramp_ticks_d = 16'd0;
        allow_d      = 16'd0;
        hi_ticks_d   = 16'd0;
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        guard_q      <= 1'b0;
        run_prev_q   <= 1'b0;
        ramp_ticks_q <= 16'd0;
        allow_q      <= 16'd0;
        hi_ticks_q   <= 16'd0;
      end else begin
        guard_q      <= guard_d;
        run_prev_q   <= run_now[g];
        ramp_ticks_q <= ramp_ticks_d;
        allow_q      <= allow_d;
        hi_ticks_q   <= hi_ticks_d;
      end
    end
    PwmSoftStart_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        guard_q |-> ({1'b0, hi_ticks_q} <= {1'b0, allow_q} + 17'd1))
      else $error("PwmSoftStart_A: ch %0d high for %0d ticks, ramp allows %0d", g, hi_ticks_q,
                  allow_q);
  end
`endif
endmodule

`default_nettype wire
