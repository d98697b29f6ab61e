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
  input  logic [11:0] pot_i,
  // cabinet
  input  logic [11:0] temp_i,       // temperature sensor ADC value (TEMP)
  input  logic        pwr_fail_ni,  // active low: the UPS reports mains failure
  output logic [1:0]  meter_o       // analog meter PWM
);
  // ---------------------------------------------------------------------------------------
  // Register bank (generated) and its two structs (see board_reg_pkg.sv): reg2hw carries
  // every register value and write/read strobe to the blocks below, hw2reg every value and
  // set/load request back. The blocks keep their own ports; this file wires struct fields
  // to them. Simulation speed: read reg2hw fields only in port connections and continuous
  // assigns (into a plain signal where an always_comb needs one, e.g. relay_on), and drive
  // hw2reg with the one assignment at the end; Verilator then sees through both structs
  // instead of packing them on every clock.
  // ---------------------------------------------------------------------------------------
  logic        reg_we, reg_re, reg_pop, reg_hit;
  logic [15:0] reg_addr;
  logic [31:0] reg_wdata, reg_rdata;
  board_reg_pkg::board_reg2hw_t reg2hw;
  board_reg_pkg::board_hw2reg_t hw2reg;

  board_regs u_regs (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .we_i     (reg_we),
    .re_i     (reg_re),
    .pop_i    (reg_pop),
    .addr_i   (reg_addr),
    .wdata_i  (reg_wdata),
    .rdata_o  (reg_rdata),
    .hit_o    (reg_hit),
    .reg2hw_o (reg2hw),
    .hw2reg_i (hw2reg)
  );

  // Hardware values (hw2reg is assembled from them at the end of this file).
  logic [15:0] link_err_count;
  logic [7:0]  link_streak;
  logic        safe_q, safe_d, cause_reset, cause_wdog, cause_link, cause_fault, wdog_expired;
  logic        wdog_expire_event, safe_enter_event;
  logic [15:0] wdog_count;
  board_reg_pkg::board_event_t fifo_head;
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
  logic [11:0] cab_temp;
  logic        cab_over_temp, cab_power_fail, cab_temp_event, cab_power_event;
  logic [3:0]  debounce_thresh;
  assign debounce_thresh = reg2hw.debounce_cfg.thresh.q;

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
  tern_strobe_div u_div_pwm  (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(reg2hw.div_pwm.div.q),
                              .stb_o(pwm_tick));
  tern_strobe_div u_div_deb  (.clk_i(clk_i), .rst_ni(rst_ni),
                              .div_i(reg2hw.div_debounce.div.q), .stb_o(deb_tick));
  tern_strobe_div u_div_scan (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(reg2hw.div_scan.div.q),
                              .stb_o(scan_tick));
  tern_strobe_div u_div_wdog (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(reg2hw.div_wdog.div.q),
                              .stb_o(wdog_tick));
  tern_strobe_div u_div_ramp (.clk_i(clk_i), .rst_ni(rst_ni), .div_i(reg2hw.div_ramp.div.q),
                              .stb_o(ramp_tick));

  // ---------------------------------------------------------------------------------------
  // Watchdog and safe state
  // ---------------------------------------------------------------------------------------
  logic [3:0] link_bad_limit;
  logic       link_trip;
  assign link_bad_limit = reg2hw.link_cfg.bad_limit.q;
  assign link_trip = (link_bad_limit != 4'd0) & (link_streak >= {4'd0, link_bad_limit});

  tern_safety u_safety (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .wdog_tick_i    (wdog_tick),
    .wdog_en_i      (reg2hw.wdog_ctrl.en.q),
    .period_i       (reg2hw.wdog_period.ticks.q),
    .kick_i         (reg2hw.wdog_kick.qe &
                     (reg2hw.wdog_kick.key.q == board_reg_pkg::WdogKickKey)),
    .clear_i        (reg2hw.safe_clear.qe & reg2hw.safe_clear.clear.q),
    .link_trip_i    (link_trip),
    .fault_i        (fault_filt | reg2hw.mos_fault.latched.q),
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
  // Event codes and payload layouts: the events section of the register map.
  // ---------------------------------------------------------------------------------------
  logic        fifo_push, fifo_pop, host_push_lost, fifo_ovf_set;
  board_reg_pkg::board_event_t fifo_wdata;
  assign fifo_push      = panel_evt | reg2hw.fifo_push.qe;
  assign fifo_wdata     = panel_evt ? {board_reg_pkg::EventPanel, panel_evt_payload}
                                    : {board_reg_pkg::EventHost, reg2hw.fifo_push.payload.q};
  assign host_push_lost = panel_evt & reg2hw.fifo_push.qe;
  assign fifo_pop       = reg2hw.fifo_data.re & rsample[31];
  assign fifo_ovf_set   = fifo_ovf | host_push_lost;

  tern_fifo #(.Width($bits(board_reg_pkg::board_event_t)), .Depth(16)) u_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clr_i   (reg2hw.fifo_clr.qe & reg2hw.fifo_clr.clr.q),
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
    .filt_i   (reg2hw.mos_fault_filter.cycles.q),
    .fault_o  (fault_filt)
  );

  logic [3:0][15:0] pwm_duty;
  for (genvar i = 0; i < 4; i++) begin : g_duty
    assign pwm_duty[i] = reg2hw.pwm_duty[i].ticks.q;
  end

  tern_pwm #(.NumCh(4)) u_pwm (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .tick_i      (pwm_tick),
    .ramp_tick_i (ramp_tick),
    .safe_i      (safe_d),
    .en_i        (reg2hw.pwm_ctrl.en.q),
    .softstart_i (reg2hw.pwm_ctrl.softstart.q),
    .dt_i        (reg2hw.pwm_deadtime.cycles.q),
    .period_i    (reg2hw.pwm_period.ticks.q),
    .duty_i      (pwm_duty),
    .hi_o        (pwm_hi_o),
    .lo_o        (pwm_lo_o),
    .ramping_o   (pwm_ramping)
  );

  tern_pwm8 #(.NumCh(2), .SafeValue(2'b11)) u_fan (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .tick_i (ramp_tick),
    .safe_i (safe_d),
    .duty_i ({reg2hw.fan.duty1.q, reg2hw.fan.duty0.q}),
    .out_o  (fan_o)
  );

  logic [3:0] relay_on, relay_d, relay_q;
  logic       irq_d, irq_q;
  assign relay_on = reg2hw.relay.on.q;
  always_comb begin
    relay_d = safe_d ? 4'h0 : relay_on;
    irq_d   = irq_pending;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      relay_q <= 4'h0;
      irq_q   <= 1'b0;
    end else begin
      relay_q <= relay_d;
      irq_q   <= irq_d;
    end
  end
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
    .out_i             (reg2hw.gpio_out.val.q),
    .oe_i              (reg2hw.gpio_oe.val.q),
    .masked_out_qe_i   (reg2hw.gpio_masked_out.qe),
    .masked_out_data_i (reg2hw.gpio_masked_out.data.q),
    .masked_out_mask_i (reg2hw.gpio_masked_out.mask.q),
    .masked_oe_qe_i    (reg2hw.gpio_masked_oe.qe),
    .masked_oe_data_i  (reg2hw.gpio_masked_oe.data.q),
    .masked_oe_mask_i  (reg2hw.gpio_masked_oe.mask.q),
    .out_de_o          (gpio_out_de),
    .out_d_o           (gpio_out_d),
    .oe_de_o           (gpio_oe_de),
    .oe_d_o            (gpio_oe_d),
    .rise_en_i         (reg2hw.gpio_rise_en.pin.q),
    .fall_en_i         (reg2hw.gpio_fall_en.pin.q),
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
    .digits_i      ({reg2hw.disp_digits.d3.q, reg2hw.disp_digits.d2.q,
                     reg2hw.disp_digits.d1.q, reg2hw.disp_digits.d0.q}),
    .bright_i      (reg2hw.disp_ctrl.bright.q),
    .hex_i         (reg2hw.disp_ctrl.hex.q),
    .led_i         (reg2hw.led.on.q),
    .press_en_i    (reg2hw.panel_evt_en.press.q),
    .release_en_i  (reg2hw.panel_evt_en.release_.q),
    .switch_en_i   (reg2hw.panel_evt_en.sw.q),
    .btn_o         (panel_btn),
    .switch_o      (panel_switch),
    .pot_o         (panel_pot),
    .evt_o         (panel_evt),
    .evt_payload_o (panel_evt_payload)
  );

  // ---------------------------------------------------------------------------------------
  // Cabinet: temperature, power fail, meters
  // ---------------------------------------------------------------------------------------
  tern_cabinet u_cabinet (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .deb_tick_i    (deb_tick),
    .deb_thresh_i  (debounce_thresh),
    .ramp_tick_i   (ramp_tick),
    .safe_i        (safe_d),
    .temp_i        (temp_i),
    .pwr_fail_ni   (pwr_fail_ni),
    .high_i        (reg2hw.temp_limit.high.q),
    .low_i         (reg2hw.temp_limit.low.q),
    .meter_duty0_i (reg2hw.meter.duty0.q),
    .meter_duty1_i (reg2hw.meter.duty1.q),
    .temp_o        (cab_temp),
    .over_temp_o   (cab_over_temp),
    .power_fail_o  (cab_power_fail),
    .temp_event_o  (cab_temp_event),
    .power_event_o (cab_power_event),
    .meter_o       (meter_o)
  );

  // ---------------------------------------------------------------------------------------
  // Interrupt sources, in INTR_STATE bit order. INTR_TEST.set bit n sets INTR_STATE bit n too.
  // The bank ORs the sets in, so a set wins over a software clear in the same clock.
  // ---------------------------------------------------------------------------------------
  logic [9:0] intr_set;
  assign intr_set = ({10{reg2hw.intr_test.qe}} & reg2hw.intr_test.set_.q) | {
    cab_power_event,                                                            // 9 power
    cab_temp_event,                                                             // 8 temp
    wdog_expire_event,                                                          // 7 wdog
    bad_frame,                                                                  // 6 link
    safe_enter_event,                                                           // 5 safe
    fault_filt,                                                                 // 4 fault
    |reg2hw.gpio_intr_state.pin.q,                                              // 3 gpio
    panel_evt,                                                                  // 2 panel
    fifo_ovf_set,                                                               // 1 fifo_ovf
    (reg2hw.fifo_ctrl.thresh.q != 5'd0) & (fifo_depth >= reg2hw.fifo_ctrl.thresh.q)  // 0
  };
  // irq_no = ~|(INTR_STATE & INTR_ENABLE); INTR_ENABLE.en bit n enables INTR_STATE bit n
  assign irq_pending = |({reg2hw.intr_state.power.q, reg2hw.intr_state.temp.q,
                          reg2hw.intr_state.wdog.q, reg2hw.intr_state.link.q,
                          reg2hw.intr_state.safe.q, reg2hw.intr_state.fault.q,
                          reg2hw.intr_state.gpio.q, reg2hw.intr_state.panel.q,
                          reg2hw.intr_state.fifo_ovf.q, reg2hw.intr_state.fifo_thresh.q} &
                         reg2hw.intr_enable.en.q);

  // ---------------------------------------------------------------------------------------
  // Everything the hardware hands the bank, as one assignment: Verilator then sees through
  // the struct to each field, where per-member assigns would make it pack and unpack the
  // whole struct on every clock (measured: ~7 % of the whole-board simulation speed).
  // rw1c fields: d = 1, de = the event (d's 1-bits are set while de).
  // ---------------------------------------------------------------------------------------
  assign hw2reg = '{
    link_err: '{
      streak: '{d: link_streak},
      count:  '{d: link_err_count}
    },
    intr_state: '{
      power:       '{d: 1'b1, de: intr_set[9]},
      temp:        '{d: 1'b1, de: intr_set[8]},
      wdog:        '{d: 1'b1, de: intr_set[7]},
      link:        '{d: 1'b1, de: intr_set[6]},
      safe:        '{d: 1'b1, de: intr_set[5]},
      fault:       '{d: 1'b1, de: intr_set[4]},
      gpio:        '{d: 1'b1, de: intr_set[3]},
      panel:       '{d: 1'b1, de: intr_set[2]},
      fifo_ovf:    '{d: 1'b1, de: intr_set[1]},
      fifo_thresh: '{d: 1'b1, de: intr_set[0]}
    },
    safe_status: '{
      wdog_expired: '{d: wdog_expired},
      cause_fault:  '{d: cause_fault},
      cause_link:   '{d: cause_link},
      cause_wdog:   '{d: cause_wdog},
      cause_reset:  '{d: cause_reset},
      safe:         '{d: safe_q}
    },
    wdog_count: '{ticks: '{d: wdog_count}},
    fifo_data: '{
      valid:   '{d: ~fifo_empty},
      type_:   '{d: fifo_empty ? 8'h0 : fifo_head.type_},
      payload: '{d: fifo_empty ? 16'h0 : fifo_head.payload}
    },
    fifo_status: '{
      full:  '{d: fifo_full},
      empty: '{d: fifo_empty},
      depth: '{d: fifo_depth}
    },
    fifo_flags: '{overflow: '{d: 1'b1, de: fifo_ovf_set}},
    mos_fault:  '{latched: '{d: 1'b1, de: fault_filt}},
    mos_status: '{
      ramping:  '{d: pwm_ramping},
      fault_in: '{d: fault_filt}
    },
    gpio_in:         '{val: '{d: gpio_in}},
    gpio_out:        '{val: '{d: gpio_out_d, de: gpio_out_de}},
    gpio_oe:         '{val: '{d: gpio_oe_d, de: gpio_oe_de}},
    gpio_intr_state: '{pin: '{d: gpio_intr_set, de: |gpio_intr_set}},
    panel_in: '{
      sw:  '{d: panel_switch},
      btn: '{d: panel_btn}
    },
    pot: '{val: '{d: panel_pot}},
    temp: '{val: '{d: cab_temp}},
    cabinet_status: '{
      power_fail: '{d: cab_power_fail},
      over_temp:  '{d: cab_over_temp}
    }
  };

  // ---------------------------------------------------------------------------------------
  // Assertions
  // ---------------------------------------------------------------------------------------
`ifndef SYNTHESIS
  // Every output is at its declared safe value in every cycle of the safe state.
  SafeOutputs_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      safe_q |-> (pwm_hi_o == 4'h0 && pwm_lo_o == 4'h0 && relay_o == 4'h0 &&
                  fan_o == 2'b11 && gpio_o == 16'h0 && gpio_oe_o == 16'h0 &&
                  seg_o == 8'h00 && digit_o == 4'h0 && led_o == 8'h80 && meter_o == 2'b00))
    else $error("SafeOutputs_A: an output is not safe in the safe state");
  // A latched MOS fault forces the safe state (and so the gates off). Through a plain
  // signal: an assertion keeps a sampled copy of every variable it names, which would keep
  // all of reg2hw packed in the model.
  logic mos_fault_latched;
  assign mos_fault_latched = reg2hw.mos_fault.latched.q;
  MosFaultSafe_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      mos_fault_latched |-> (safe_q && pwm_hi_o == 4'h0 && pwm_lo_o == 4'h0))
    else $error("MosFaultSafe_A: fault latched but gates not off");
`endif

  // Register values with no hardware consumer (read back by software only) and the read
  // sample bits the FIFO pop does not need.
  logic unused_regs;
  assign unused_regs = ^{reg2hw.scratch.val.q, reg2hw.fifo_flags.overflow.q, rsample[30:0]};
endmodule

`default_nettype wire
