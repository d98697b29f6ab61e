// Front panel: 4-digit multiplexed 7-segment display, 8 LEDs, 4 buttons, a toggle switch
// and a potentiometer value.
// - Display: each digit slot lasts 16 scan ticks; tick 0 of a slot is a blanking gap
//   (segments and digits off) and the digit is lit for ticks 1..bright. seg_o = {dp,g..a},
//   digit_o one-hot, both active high and registered.
// - Buttons and switch: synchronised, debounced; changes enabled in PANEL_EVT_EN become one
//   event (evt_o). Its payload layout (pressed, released, switch changed/level, buttons now)
//   is board_reg_pkg::board_event_panel_t, generated from the events section of the map.
// - Pot: pot_i is synchronised bit by bit (an ADC value that changes slowly) and captured on
//   a debounce tick only when two consecutive synchronised samples agree.
// - Safe state: display blank, led_o = 8'h80 (led 7 = SAFE lamp).
`default_nettype none

module tern_panel (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        safe_i,        // next safe state
  input  logic        scan_tick_i,
  input  logic        deb_tick_i,
  input  logic [3:0]  deb_thresh_i,
  // pins
  output logic [7:0]  seg_o,
  output logic [3:0]  digit_o,
  output logic [7:0]  led_o,
  input  logic [3:0]  btn_i,
  input  logic        switch_i,
  input  logic [11:0] pot_i,
  // registers
  input  logic [31:0] digits_i,
  input  logic [3:0]  bright_i,
  input  logic        hex_i,
  input  logic [7:0]  led_i,
  input  logic [3:0]  press_en_i,
  input  logic [3:0]  release_en_i,
  input  logic        switch_en_i,
  output logic [3:0]  btn_o,
  output logic        switch_o,
  output logic [11:0] pot_o,
  output logic        evt_o,
  output logic [15:0] evt_payload_o
);
  localparam logic [7:0] SafeLed = 8'h80;

  function automatic logic [6:0] hex7(logic [3:0] v);
    unique case (v)
      4'h0: hex7 = 7'h3F;
      4'h1: hex7 = 7'h06;
      4'h2: hex7 = 7'h5B;
      4'h3: hex7 = 7'h4F;
      4'h4: hex7 = 7'h66;
      4'h5: hex7 = 7'h6D;
      4'h6: hex7 = 7'h7D;
      4'h7: hex7 = 7'h07;
      4'h8: hex7 = 7'h7F;
      4'h9: hex7 = 7'h6F;
      4'hA: hex7 = 7'h77;
      4'hB: hex7 = 7'h7C;
      4'hC: hex7 = 7'h39;
      4'hD: hex7 = 7'h5E;
      4'hE: hex7 = 7'h79;
      default: hex7 = 7'h71;
    endcase
  endfunction

  // ---- display scan ----
  logic [3:0] sub_d, sub_q;
  logic [1:0] idx_d, idx_q;
  logic [7:0] cur, seg_d, seg_q, led_d, led_q;
  logic [3:0] digit_d, digit_q;
  logic       lit;

  always_comb begin
    sub_d = sub_q;
    idx_d = idx_q;
    if (scan_tick_i) begin
      sub_d = sub_q + 4'd1;
      if (sub_q == 4'hF) idx_d = idx_q + 2'd1;
    end
    unique case (idx_q)
      2'd0:    cur = digits_i[7:0];
      2'd1:    cur = digits_i[15:8];
      2'd2:    cur = digits_i[23:16];
      default: cur = digits_i[31:24];
    endcase
    lit     = ~safe_i & (sub_q != 4'd0) & (sub_q <= bright_i);
    seg_d   = lit ? (hex_i ? {cur[7], hex7(cur[3:0])} : cur) : 8'h00;
    digit_d = lit ? (4'b0001 << idx_q) : 4'b0000;
    led_d   = safe_i ? SafeLed : led_i;
  end

  // ---- buttons, switch ----
  logic [4:0] in_s, in_deb, in_prev_q;
  logic [3:0] pressed, released;
  logic       sw_changed;

  tern_sync2 #(.Width(5), .ResetValue(5'h0)) u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    ({switch_i, btn_i}),
    .q_o    (in_s)
  );

  tern_debounce #(.Width(5), .ResetValue(5'h0)) u_deb (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .tick_i   (deb_tick_i),
    .thresh_i (deb_thresh_i),
    .d_i      (in_s),
    .q_o      (in_deb)
  );

  assign pressed       = in_deb[3:0] & ~in_prev_q[3:0];
  assign released      = ~in_deb[3:0] & in_prev_q[3:0];
  assign sw_changed    = in_deb[4] ^ in_prev_q[4];
  assign evt_o         = |(pressed & press_en_i) | |(released & release_en_i) |
                         (sw_changed & switch_en_i);
  board_reg_pkg::board_event_panel_t evt_payload;
  always_comb begin
    evt_payload                = '0;
    evt_payload.pressed        = pressed;
    evt_payload.released       = released;
    evt_payload.switch_changed = sw_changed;
    evt_payload.switch_level   = in_deb[4];
    evt_payload.buttons        = in_deb[3:0];
  end
  assign evt_payload_o = evt_payload;
  assign btn_o         = in_deb[3:0];
  assign switch_o      = in_deb[4];

  // ---- potentiometer ----
  tern_adc_capture #(.Width(12)) u_pot (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .tick_i (deb_tick_i),
    .d_i    (pot_i),
    .q_o    (pot_o)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sub_q      <= 4'd0;
      idx_q      <= 2'd0;
      seg_q      <= 8'h00;
      digit_q    <= 4'h0;
      led_q      <= SafeLed;
      in_prev_q  <= 5'h0;
    end else begin
      sub_q      <= sub_d;
      idx_q      <= idx_d;
      seg_q      <= seg_d;
      digit_q    <= digit_d;
      led_q      <= led_d;
      in_prev_q  <= in_deb;
    end
  end

  assign seg_o   = seg_q;
  assign digit_o = digit_q;
  assign led_o   = led_q;

`ifndef SYNTHESIS
  // Never two digits at once, and the display is dark whenever no digit is selected.
  PanelOneDigit_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0(digit_q));
  PanelBlankGap_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (digit_q == 4'h0) |-> (seg_q == 8'h00));
`endif
endmodule

`default_nettype wire
