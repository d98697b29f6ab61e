// tern control board, top level. See fpga/README.md for the ports, the safe state of every
// output, the SPI frame and the register map (docs/register_map.md).
`default_nettype none

module tern_board (
  input  logic        clk_i,
  input  logic        rst_ni,       // active-low asynchronous reset
  // host link (SPI mode 0) and interrupt
  input  logic        spi_sclk_i,
  input  logic        spi_cs_ni,
  input  logic        spi_mosi_i,
  output logic        spi_miso_o,
  output logic        irq_no,       // active low: ~|(INTR_STATE & INTR_ENABLE)
  // MOS driver
  output logic [3:0]  pwm_hi_o,
  output logic [3:0]  pwm_lo_o,
  input  logic        fault_ni,     // active-low fault from the gate drivers
  output logic [3:0]  relay_o,
  output logic [1:0]  fan_o,
  // GPIO
  input  logic [15:0] gpio_i,
  output logic [15:0] gpio_o,
  output logic [15:0] gpio_oe_o,
  // front panel
  output logic [7:0]  seg_o,        // {dp, g, f, e, d, c, b, a}, active high
  output logic [3:0]  digit_o,      // one-hot digit select, active high
  output logic [7:0]  led_o,
  input  logic [3:0]  btn_i,        // 1 = pressed
  input  logic        switch_i,
  input  logic [11:0] pot_i
);
  localparam logic [31:0] KickKey = 32'h4B49_434B;

  // ---------------------------------------------------------------------------------------
  // Register bank signals
  // ---------------------------------------------------------------------------------------
  logic        reg_we, reg_re, reg_pop, reg_hit;
  logic [15:0] reg_addr;
  logic [31:0] reg_wdata, reg_rdata;

  logic [31:0] scratch_val;
  logic [3:0]  link_bad_limit;
  logic [7:0]  intr_state, intr_set, intr_enable, intr_test;
  logic        intr_test_qe;
  logic        wdog_en;
  logic [15:0] wdog_period;
  logic [31:0] wdog_kick_key;
  logic        wdog_kick_qe, safe_clear, safe_clear_qe;
  logic [15:0] div_pwm, div_debounce, div_scan, div_wdog, div_ramp;
  logic [3:0]  debounce_thresh;
  logic        fifo_data_re;
  logic [4:0]  fifo_thresh;
  logic        fifo_overflow, fifo_clr, fifo_clr_qe, fifo_push_qe;
  logic [15:0] fifo_push_payload;
  logic [3:0]  pwm_en, pwm_softstart;
  logic [7:0]  pwm_deadtime;
  logic [15:0] pwm_period;
  logic [3:0][15:0] pwm_duty;
  logic        mos_fault_latched;
  logic [7:0]  mos_fault_filter;
  logic [3:0]  relay;
  logic [7:0]  fan_duty0, fan_duty1;
  logic [15:0] gpio_out, gpio_oe, gpio_rise_en, gpio_fall_en, gpio_intr_state;
  logic        gpio_masked_out_qe, gpio_masked_oe_qe;
  logic [15:0] gpio_masked_out_data, gpio_masked_out_mask;
  logic [15:0] gpio_masked_oe_data, gpio_masked_oe_mask;
  logic [31:0] disp_digits;
  logic [3:0]  disp_bright;
  logic        disp_hex;
  logic [7:0]  led;
  logic [3:0]  evt_press_en, evt_release_en;
  logic        evt_switch_en;

  // hardware -> bank
  logic [15:0] link_err_count;
  logic [7:0]  link_streak;
  logic        safe_q, safe_d, cause_reset, cause_wdog, cause_link, cause_fault, wdog_expired;
  logic        wdog_expire_event, safe_enter_event;
  logic [15:0] wdog_count;
  logic [23:0] fifo_head;
  logic [4:0]  fifo_depth;
  logic        fifo_empty, fifo_full, fifo_ovf;
  logic        fault_filt;
  logic [3:0]  pwm_ramping;
  logic [15:0] gpio_in, gpio_intr_set, gpio_out_d, gpio_oe_d;
  logic        gpio_out_de, gpio_oe_de;
  logic [3:0]  panel_btn;
  logic        panel_switch;
  logic [11:0] panel_pot;
  logic        panel_evt;
  logic [15:0] panel_evt_payload;

  // ---------------------------------------------------------------------------------------
  // SPI slave
  // ---------------------------------------------------------------------------------------
  logic        irq_pending, bad_frame;
  logic [31:0] rsample;

  tern_spi_slave u_spi (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .sclk_i      (spi_sclk_i),
    .cs_ni       (spi_cs_ni),
    .mosi_i      (spi_mosi_i),
    .miso_o      (spi_miso_o),
    .we_o        (reg_we),
    .re_o        (reg_re),
    .pop_o       (reg_pop),
    .addr_o      (reg_addr),
    .wdata_o     (reg_wdata),
    .rdata_i     (reg_rdata),
    .hit_i       (reg_hit),
    .safe_i      (safe_q),
    .irq_i       (irq_pending),
    .rsample_o   (rsample),
    .bad_frame_o (bad_frame),
    .err_count_o (link_err_count),
    .streak_o    (link_streak)
  );

  // ---------------------------------------------------------------------------------------
  // Clock divider: enable strobes only
  // ---------------------------------------------------------------------------------------
  logic pwm_tick, deb_tick, scan_tick, wdog_tick, ramp_tick;
  tern_strobe_div u_div_pwm  (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(div_pwm),
                              .stb_o(pwm_tick));
  tern_strobe_div u_div_deb  (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(div_debounce),
                              .stb_o(deb_tick));
  tern_strobe_div u_div_scan (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(div_scan),
                              .stb_o(scan_tick));
  tern_strobe_div u_div_wdog (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(div_wdog),
                              .stb_o(wdog_tick));
  tern_strobe_div u_div_ramp (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(div_ramp),
                              .stb_o(ramp_tick));

  // ---------------------------------------------------------------------------------------
  // Watchdog and safe state
  // ---------------------------------------------------------------------------------------
  logic link_trip;
  assign link_trip = (link_bad_limit != 4'd0) & (link_streak >= {4'd0, link_bad_limit});

  tern_safety u_safety (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .wdog_tick_i    (wdog_tick),
    .wdog_en_i      (wdog_en),
    .period_i       (wdog_period),
    .kick_i         (wdog_kick_qe & (wdog_kick_key == KickKey)),
    .clear_i        (safe_clear_qe & safe_clear),
    .link_trip_i    (link_trip),
    .fault_i        (fault_filt | mos_fault_latched),
    .safe_o         (safe_q),
    .safe_d_o       (safe_d),
    .cause_reset_o  (cause_reset),
    .cause_wdog_o   (cause_wdog),
    .cause_link_o   (cause_link),
    .cause_fault_o  (cause_fault),
    .expired_o      (wdog_expired),
    .expire_event_o (wdog_expire_event),
    .enter_event_o  (safe_enter_event),
    .count_o        (wdog_count)
  );

  // ---------------------------------------------------------------------------------------
  // Event FIFO. Panel events win a same-clock race with a host push (the push is dropped
  // and counted as an overflow). Pop only after a completed read frame of a valid word.
  // ---------------------------------------------------------------------------------------
  logic        fifo_push, fifo_pop, host_push_lost;
  logic [23:0] fifo_wdata;
  assign fifo_push      = panel_evt | fifo_push_qe;
  assign fifo_wdata     = panel_evt ? {8'h01, panel_evt_payload} : {8'h7F, fifo_push_payload};
  assign host_push_lost = panel_evt & fifo_push_qe;
  assign fifo_pop       = fifo_data_re & rsample[31];

  tern_fifo #(.Width(24), .Depth(16)) u_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (fifo_clr_qe & fifo_clr),
    .push_i  (fifo_push),
    .wdata_i (fifo_wdata),
    .pop_i   (fifo_pop),
    .rdata_o (fifo_head),
    .depth_o (fifo_depth),
    .empty_o (fifo_empty),
    .full_o  (fifo_full),
    .ovf_o   (fifo_ovf)
  );

  // ---------------------------------------------------------------------------------------
  // MOS driver, fault, relays, fans
  // ---------------------------------------------------------------------------------------
  tern_fault_filter u_fault (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .fault_ni (fault_ni),
    .filt_i   (mos_fault_filter),
    .fault_o  (fault_filt)
  );

  tern_pwm #(.NumCh(4)) u_pwm (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .tick_i      (pwm_tick),
    .ramp_tick_i (ramp_tick),
    .safe_i      (safe_d),
    .en_i        (pwm_en),
    .softstart_i (pwm_softstart),
    .dt_i        (pwm_deadtime),
    .period_i    (pwm_period),
    .duty_i      (pwm_duty),
    .hi_o        (pwm_hi_o),
    .lo_o        (pwm_lo_o),
    .ramping_o   (pwm_ramping)
  );

  logic [7:0] fan_cnt_d, fan_cnt_q;
  logic [1:0] fan_on, fan_d, fan_q;
  logic [3:0] relay_d, relay_q;
  logic       irq_d, irq_q;
  always_comb begin
    fan_cnt_d = ramp_tick ? fan_cnt_q + 8'd1 : fan_cnt_q;
    fan_on[0] = (fan_duty0 == 8'hFF) | (fan_cnt_q < fan_duty0);
    fan_on[1] = (fan_duty1 == 8'hFF) | (fan_cnt_q < fan_duty1);
    fan_d     = safe_d ? 2'b11 : fan_on;
    relay_d   = safe_d ? 4'h0 : relay;
    irq_d     = irq_pending;
  end
  assign irq_pending = |(intr_state & intr_enable);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fan_cnt_q <= 8'd0;
      fan_q     <= 2'b11;
      relay_q   <= 4'h0;
      irq_q     <= 1'b0;
    end else begin
      fan_cnt_q <= fan_cnt_d;
      fan_q     <= fan_d;
      relay_q   <= relay_d;
      irq_q     <= irq_d;
    end
  end
  assign fan_o   = fan_q;
  assign relay_o = relay_q;
  assign irq_no  = ~irq_q;

  // ---------------------------------------------------------------------------------------
  // GPIO and front panel
  // ---------------------------------------------------------------------------------------
  tern_gpio u_gpio (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .safe_i            (safe_d),
    .deb_tick_i        (deb_tick),
    .deb_thresh_i      (debounce_thresh),
    .gpio_i            (gpio_i),
    .gpio_o            (gpio_o),
    .gpio_oe_o         (gpio_oe_o),
    .out_i             (gpio_out),
    .oe_i              (gpio_oe),
    .masked_out_qe_i   (gpio_masked_out_qe),
    .masked_out_data_i (gpio_masked_out_data),
    .masked_out_mask_i (gpio_masked_out_mask),
    .masked_oe_qe_i    (gpio_masked_oe_qe),
    .masked_oe_data_i  (gpio_masked_oe_data),
    .masked_oe_mask_i  (gpio_masked_oe_mask),
    .out_de_o          (gpio_out_de),
    .out_d_o           (gpio_out_d),
    .oe_de_o           (gpio_oe_de),
    .oe_d_o            (gpio_oe_d),
    .rise_en_i         (gpio_rise_en),
    .fall_en_i         (gpio_fall_en),
    .in_o              (gpio_in),
    .intr_set_o        (gpio_intr_set)
  );

  tern_panel u_panel (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .safe_i        (safe_d),
    .scan_tick_i   (scan_tick),
    .deb_tick_i    (deb_tick),
    .deb_thresh_i  (debounce_thresh),
    .seg_o         (seg_o),
    .digit_o       (digit_o),
    .led_o         (led_o),
    .btn_i         (btn_i),
    .switch_i      (switch_i),
    .pot_i         (pot_i),
    .digits_i      (disp_digits),
    .bright_i      (disp_bright),
    .hex_i         (disp_hex),
    .led_i         (led),
    .press_en_i    (evt_press_en),
    .release_en_i  (evt_release_en),
    .switch_en_i   (evt_switch_en),
    .btn_o         (panel_btn),
    .switch_o      (panel_switch),
    .pot_o         (panel_pot),
    .evt_o         (panel_evt),
    .evt_payload_o (panel_evt_payload)
  );

  // ---------------------------------------------------------------------------------------
  // Interrupt sources (INTR_STATE bit order, see the register map)
  // ---------------------------------------------------------------------------------------
  assign intr_set = ({8{intr_test_qe}} & intr_test) | {
    wdog_expire_event,                                        // 7 wdog
    bad_frame,                                                // 6 link
    safe_enter_event,                                         // 5 safe
    fault_filt,                                               // 4 fault
    |gpio_intr_state,                                         // 3 gpio
    panel_evt,                                                // 2 panel
    fifo_ovf | host_push_lost,                                // 1 fifo_ovf
    (fifo_thresh != 5'd0) & (fifo_depth >= fifo_thresh)       // 0 fifo_thresh
  };

  // ---------------------------------------------------------------------------------------
  // Register bank (generated)
  // ---------------------------------------------------------------------------------------
  board_regs u_regs (
    .clk_i                         (clk_i),
    .rst_ni                        (rst_ni),
    .we_i                          (reg_we),
    .re_i                          (reg_re),
    .pop_i                         (reg_pop),
    .addr_i                        (reg_addr),
    .wdata_i                       (reg_wdata),
    .rdata_o                       (reg_rdata),
    .hit_o                         (reg_hit),
    .scratch_val_o                 (scratch_val),
    .link_err_count_i              (link_err_count),
    .link_err_streak_i             (link_streak),
    .link_cfg_bad_limit_o          (link_bad_limit),
    .intr_state_fifo_thresh_o      (intr_state[0]),
    .intr_state_fifo_ovf_o         (intr_state[1]),
    .intr_state_panel_o            (intr_state[2]),
    .intr_state_gpio_o             (intr_state[3]),
    .intr_state_fault_o            (intr_state[4]),
    .intr_state_safe_o             (intr_state[5]),
    .intr_state_link_o             (intr_state[6]),
    .intr_state_wdog_o             (intr_state[7]),
    .intr_state_fifo_thresh_set_i  (intr_set[0]),
    .intr_state_fifo_ovf_set_i     (intr_set[1]),
    .intr_state_panel_set_i        (intr_set[2]),
    .intr_state_gpio_set_i         (intr_set[3]),
    .intr_state_fault_set_i        (intr_set[4]),
    .intr_state_safe_set_i         (intr_set[5]),
    .intr_state_link_set_i         (intr_set[6]),
    .intr_state_wdog_set_i         (intr_set[7]),
    .intr_enable_en_o              (intr_enable),
    .intr_test_set_o               (intr_test),
    .intr_test_qe_o                (intr_test_qe),
    .wdog_ctrl_en_o                (wdog_en),
    .wdog_period_ticks_o           (wdog_period),
    .wdog_kick_key_o               (wdog_kick_key),
    .wdog_kick_qe_o                (wdog_kick_qe),
    .safe_status_safe_i            (safe_q),
    .safe_status_cause_reset_i     (cause_reset),
    .safe_status_cause_wdog_i      (cause_wdog),
    .safe_status_cause_link_i      (cause_link),
    .safe_status_cause_fault_i     (cause_fault),
    .safe_status_wdog_expired_i    (wdog_expired),
    .safe_clear_clear_o            (safe_clear),
    .safe_clear_qe_o               (safe_clear_qe),
    .wdog_count_ticks_i            (wdog_count),
    .div_pwm_div_o                 (div_pwm),
    .div_debounce_div_o            (div_debounce),
    .div_scan_div_o                (div_scan),
    .div_wdog_div_o                (div_wdog),
    .div_ramp_div_o                (div_ramp),
    .debounce_cfg_thresh_o         (debounce_thresh),
    .fifo_data_payload_i           (fifo_empty ? 16'h0 : fifo_head[15:0]),
    .fifo_data_type_i              (fifo_empty ? 8'h0 : fifo_head[23:16]),
    .fifo_data_valid_i             (~fifo_empty),
    .fifo_data_re_o                (fifo_data_re),
    .fifo_status_depth_i           (fifo_depth),
    .fifo_status_empty_i           (fifo_empty),
    .fifo_status_full_i            (fifo_full),
    .fifo_ctrl_thresh_o            (fifo_thresh),
    .fifo_flags_overflow_o         (fifo_overflow),
    .fifo_flags_overflow_set_i     (fifo_ovf | host_push_lost),
    .fifo_clr_clr_o                (fifo_clr),
    .fifo_clr_qe_o                 (fifo_clr_qe),
    .fifo_push_payload_o           (fifo_push_payload),
    .fifo_push_qe_o                (fifo_push_qe),
    .pwm_ctrl_en_o                 (pwm_en),
    .pwm_ctrl_softstart_o          (pwm_softstart),
    .pwm_deadtime_cycles_o         (pwm_deadtime),
    .pwm_period_ticks_o            (pwm_period),
    .pwm_duty0_ticks_o             (pwm_duty[0]),
    .pwm_duty1_ticks_o             (pwm_duty[1]),
    .pwm_duty2_ticks_o             (pwm_duty[2]),
    .pwm_duty3_ticks_o             (pwm_duty[3]),
    .mos_fault_latched_o           (mos_fault_latched),
    .mos_fault_latched_set_i       (fault_filt),
    .mos_fault_filter_cycles_o     (mos_fault_filter),
    .mos_status_fault_in_i         (fault_filt),
    .mos_status_ramping_i          (pwm_ramping),
    .relay_on_o                    (relay),
    .fan_duty0_o                   (fan_duty0),
    .fan_duty1_o                   (fan_duty1),
    .gpio_in_val_i                 (gpio_in),
    .gpio_out_val_o                (gpio_out),
    .gpio_out_val_de_i             (gpio_out_de),
    .gpio_out_val_d_i              (gpio_out_d),
    .gpio_oe_val_o                 (gpio_oe),
    .gpio_oe_val_de_i              (gpio_oe_de),
    .gpio_oe_val_d_i               (gpio_oe_d),
    .gpio_masked_out_data_o        (gpio_masked_out_data),
    .gpio_masked_out_mask_o        (gpio_masked_out_mask),
    .gpio_masked_out_qe_o          (gpio_masked_out_qe),
    .gpio_masked_oe_data_o         (gpio_masked_oe_data),
    .gpio_masked_oe_mask_o         (gpio_masked_oe_mask),
    .gpio_masked_oe_qe_o           (gpio_masked_oe_qe),
    .gpio_intr_state_pin_o         (gpio_intr_state),
    .gpio_intr_state_pin_set_i     (gpio_intr_set),
    .gpio_rise_en_pin_o            (gpio_rise_en),
    .gpio_fall_en_pin_o            (gpio_fall_en),
    .disp_digits_d0_o              (disp_digits[7:0]),
    .disp_digits_d1_o              (disp_digits[15:8]),
    .disp_digits_d2_o              (disp_digits[23:16]),
    .disp_digits_d3_o              (disp_digits[31:24]),
    .disp_ctrl_bright_o            (disp_bright),
    .disp_ctrl_hex_o               (disp_hex),
    .led_on_o                      (led),
    .panel_in_btn_i                (panel_btn),
    .panel_in_sw_i                 (panel_switch),
    .pot_val_i                     (panel_pot),
    .panel_evt_en_press_o          (evt_press_en),
    .panel_evt_en_release_o        (evt_release_en),
    .panel_evt_en_sw_o             (evt_switch_en)
  );

  // ---------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Every output is at its declared safe value in every cycle of the safe state.
  SafeOutputs_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      safe_q |-> (pwm_hi_o == 4'h0 && pwm_lo_o == 4'h0 && relay_o == 4'h0 &&
                  fan_o == 2'b11 && gpio_o == 16'h0 && gpio_oe_o == 16'h0 &&
                  seg_o == 8'h00 && digit_o == 4'h0 && led_o == 8'h80))
    else $error("SafeOutputs_A: an output is not safe in the safe state");
  // A latched MOS fault forces the safe state (and so the gates off).
  MosFaultSafe_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mos_fault_latched |-> (safe_q && pwm_hi_o == 4'h0 && pwm_lo_o == 4'h0))
    else $error("MosFaultSafe_A: fault latched but gates not off");
`endif

  // Register values with no hardware consumer (read back by software only) and the read
  // sample bits the FIFO pop does not need.
  logic unused_regs;
  assign unused_regs = ^{scratch_val, fifo_overflow, rsample[30:0]};
endmodule

`default_nettype wire
