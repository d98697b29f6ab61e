// Watchdog and safe-state latch.
// - A kick (WDOG_KICK written with the key) loads the counter with the period; every
//   watchdog tick decrements it; at 0 the watchdog is expired (while enabled). The counter
//   resets to 0, so the board comes out of reset expired and safe.
// - The safe state is set by reset, watchdog expiry, the link trip (K bad frames in a row)
//   or the MOS fault; trip sources win over a clear. SAFE_CLEAR leaves the safe state only
//   if none of them is active (so: kick first, and clear MOS_FAULT once the fault is gone).
// - safe_d_o is the next value, for output flops that must be safe in the same cycle.
`default_nettype none

module tern_safety (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        wdog_tick_i,
  input  logic        wdog_en_i,
  input  logic [15:0] period_i,
  input  logic        kick_i,
  input  logic        clear_i,
  input  logic        link_trip_i,
  input  logic        fault_i,       // filtered fault input or latched fault
  output logic        safe_o,
  output logic        safe_d_o,
  output logic        cause_reset_o,
  output logic        cause_wdog_o,
  output logic        cause_link_o,
  output logic        cause_fault_o,
  output logic        expired_o,
  output logic        expire_event_o,
  output logic        enter_event_o,
  output logic [15:0] count_o
);
  logic [15:0] cnt_d, cnt_q;
  logic        safe_d, safe_q;
  logic [3:0]  cause_d, cause_q;  // {fault, link, wdog, reset}
  logic        expired, expired_prev_q, trip;

  assign expired = wdog_en_i & (cnt_q == 16'd0);
  assign trip    = expired | link_trip_i | fault_i;

  always_comb begin
    cnt_d = cnt_q;
    if (kick_i) begin
      cnt_d = period_i;
    end else if (wdog_tick_i && cnt_q != 16'd0) begin
      cnt_d = cnt_q - 16'd1;
    end

    safe_d  = trip | (safe_q & ~clear_i);
    cause_d = cause_q | {fault_i, link_trip_i, expired, 1'b0};
    if (safe_q && !safe_d) cause_d = 4'b0000;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q          <= 16'd0;
      safe_q         <= 1'b1;
      cause_q        <= 4'b0001;
      expired_prev_q <= 1'b1;
    end else begin
      cnt_q          <= cnt_d;
      safe_q         <= safe_d;
      cause_q        <= cause_d;
      expired_prev_q <= expired;
    end
  end

  assign safe_o         = safe_q;
  assign safe_d_o       = safe_d;
  assign cause_reset_o  = cause_q[0];
  assign cause_wdog_o   = cause_q[1];
  assign cause_link_o   = cause_q[2];
  assign cause_fault_o  = cause_q[3];
  assign expired_o      = expired;
  assign expire_event_o = expired & ~expired_prev_q;
  assign enter_event_o  = safe_d & ~safe_q;
  assign count_o        = cnt_q;

`ifndef SYNTHESIS
  // An expired watchdog always means the safe state (one clock later at the latest).
  WdogForcesSafe_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      expired |=> safe_q);
`endif
endmodule

`default_nettype wire
