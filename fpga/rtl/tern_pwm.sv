// MOS driver: 4 PWM channels on one shared period counter, each a complementary pair
// (hi_o[n] / lo_o[n]) with programmable dead time and optional soft start.
// - The counter advances on tick_i (DIV_PWM strobe). Period and duties are shadowed and
//   taken into use only at the period boundary (counter wrap).
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
  logic [NumCh-1:0][15:0]  duty_d, duty_q;   // duties in use
  logic [NumCh-1:0][15:0]  ramp_d, ramp_q;
  logic [NumCh-1:0][15:0]  eff_duty;
  logic [NumCh-1:0]        hi_d, hi_q, lo_d, lo_q;
  logic [NumCh-1:0][7:0]   hi_off_d, hi_off_q, lo_off_d, lo_off_q;
  logic [NumCh-1:0]        run, raw;
  logic                    boundary;

  assign boundary = tick_i & ({1'b0, cnt_q} + 17'd1 >= {1'b0, per_q});

  always_comb begin
    cnt_d  = cnt_q;
    per_d  = per_q;
    duty_d = duty_q;
    ramp_d = ramp_q;
    for (int unsigned i = 0; i < NumCh; i++) begin
      // soft-start ramp
      if (!en_i[i] || safe_i) begin
        ramp_d[i] = 16'd0;
      end else if (!softstart_i[i]) begin
        ramp_d[i] = duty_i[i];
      end else if (ramp_q[i] > duty_i[i]) begin
        ramp_d[i] = duty_i[i];
      end else if (ramp_tick_i && ramp_q[i] < duty_i[i]) begin
        ramp_d[i] = ramp_q[i] + 16'd1;
      end
      eff_duty[i]  = (softstart_i[i] && ramp_q[i] < duty_i[i]) ? ramp_q[i] : duty_i[i];
      ramping_o[i] = en_i[i] & softstart_i[i] & (ramp_q[i] < duty_i[i]);
    end
    if (tick_i) begin
      if (boundary) begin
        cnt_d  = 16'd0;
        per_d  = (period_i == 16'd0) ? 16'd1 : period_i;
        duty_d = eff_duty;
      end else begin
        cnt_d = cnt_q + 16'd1;
      end
    end
  end

  always_comb begin
    for (int unsigned i = 0; i < NumCh; i++) begin
      run[i]      = en_i[i] & ~safe_i;
      raw[i]      = (cnt_q < duty_q[i]);
      hi_d[i]     = run[i] & raw[i] & (lo_off_q[i] >= dt_i);
      lo_d[i]     = run[i] & ~raw[i] & (hi_off_q[i] >= dt_i);
      hi_off_d[i] = hi_d[i] ? 8'd0 : ((hi_off_q[i] == 8'hFF) ? 8'hFF : hi_off_q[i] + 8'd1);
      lo_off_d[i] = lo_d[i] ? 8'd0 : ((lo_off_q[i] == 8'hFF) ? 8'hFF : lo_off_q[i] + 8'd1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q    <= 16'd0;
      per_q    <= 16'd1;
      duty_q   <= '0;
      ramp_q   <= '0;
      hi_q     <= '0;
      lo_q     <= '0;
      hi_off_q <= '1;
      lo_off_q <= '1;
    end else begin
      cnt_q    <= cnt_d;
      per_q    <= per_d;
      duty_q   <= duty_d;
      ramp_q   <= ramp_d;
      hi_q     <= hi_d;
      lo_q     <= lo_d;
      hi_off_q <= hi_off_d;
      lo_off_q <= lo_off_d;
    end
  end

  assign hi_o = hi_q;
  assign lo_o = lo_q;

`ifndef SYNTHESIS
  // Independent dead-time checker: counts clocks with both gates of a pair off since
  // either was last on, and remembers which side that was.
  logic [NumCh-1:0][8:0] gap_q;
  logic [NumCh-1:0]      last_hi_q, last_lo_q, hi_prev_q, lo_prev_q;
  logic [7:0]            dt_prev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gap_q     <= '1;
      last_hi_q <= '0;
      last_lo_q <= '0;
      hi_prev_q <= '0;
      lo_prev_q <= '0;
      dt_prev_q <= 8'd0;
    end else begin
      for (int unsigned i = 0; i < NumCh; i++) begin
        gap_q[i] <= (hi_q[i] | lo_q[i]) ? 9'd0 :
                    ((gap_q[i] == 9'h1FF) ? 9'h1FF : gap_q[i] + 9'd1);
        if (hi_q[i] | lo_q[i]) begin
          last_hi_q[i] <= hi_q[i];
          last_lo_q[i] <= lo_q[i];
        end
      end
      hi_prev_q <= hi_q;
      lo_prev_q <= lo_q;
      dt_prev_q <= dt_i;
    end
  end

  PwmNoOverlap_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (hi_q & lo_q) == '0)
    else $error("PwmNoOverlap_A: hi=%b lo=%b", hi_q, lo_q);

  for (genvar g = 0; g < NumCh; g++) begin : g_dt_check
    PwmDeadTimeHi_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        (hi_q[g] && !hi_prev_q[g] && last_lo_q[g]) |-> (gap_q[g] >= {1'b0, dt_prev_q}))
      else $error("PwmDeadTimeHi_A: ch %0d gap %0d < dt %0d", g, gap_q[g], dt_prev_q);
    PwmDeadTimeLo_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
        (lo_q[g] && !lo_prev_q[g] && last_hi_q[g]) |-> (gap_q[g] >= {1'b0, dt_prev_q}))
      else $error("PwmDeadTimeLo_A: ch %0d gap %0d < dt %0d", g, gap_q[g], dt_prev_q);
  end
`endif
endmodule

`default_nettype wire
