// SPI slave (mode 0, MSB first, CS active low) oversampled in the system clock.
// SCLK, CS_n and MOSI pass 2-flop synchronisers; edges come from the synchronised values,
// so SCLK may run at up to clk/4 (each SCLK level held >= 2 system clocks).
//
// Frame (112 bits while CS is low):
//   host -> board bits 0..63 : cmd, addr[15:8], addr[7:0], data[31:0], crc8(bytes 0..6)
//   board -> host bits 64..111: status, rdata[31:0], crc8(status, rdata)
// The request is checked one clock after its 64th bit: cmd 0x5A/0xA5, 4-aligned mapped
// address, CRC residual 0. A good write is applied then (we_o); a good read samples the
// register then. When CS rises after exactly 112 bits of a good request the frame is good:
// a read frame raises pop_o (read side effects); any other frame is bad: it is counted
// (err_count_o, streak_o) and raises bad_frame_o.
// MISO: reply bit k is driven 2 clocks after the synchronised rising SCLK edge of bit
// 63 + k, i.e. it changes while SCLK is high / at its falling edge and is stable through
// the whole low phase and the next rising edge. 0 while idle and during the request.
`default_nettype none

module tern_spi_slave (
  input  logic        clk_i,
  input  logic        rst_ni,
  // pins
  input  logic        sclk_i,
  input  logic        cs_ni,
  input  logic        mosi_i,
  output logic        miso_o,
  // register bank
  output logic        we_o,
  output logic        re_o,         // decode strobe: rdata_i/hit_i are valid while it is high
  output logic        pop_o,
  output logic [15:0] addr_o,
  output logic [31:0] wdata_o,
  input  logic [31:0] rdata_i,
  input  logic        hit_i,
  // status inputs
  input  logic        safe_i,
  input  logic        irq_i,
  // link health
  output logic [31:0] rsample_o,    // last sampled read data (0 if the request was bad)
  output logic        bad_frame_o,  // one cycle per bad frame
  output logic [15:0] err_count_o,
  output logic [7:0]  streak_o
);
  localparam logic [7:0] CmdRead  = 8'h5A;
  localparam logic [7:0] CmdWrite = 8'hA5;
  localparam logic [6:0] FrameBits = 7'd112;

  function automatic logic [7:0] crc_step(logic [7:0] crc, logic b);
    logic fb;
    fb = crc[7] ^ b;
    crc_step = {crc[6:0], 1'b0} ^ (fb ? 8'h07 : 8'h00);
  endfunction

  // ---- synchronisers and edge detection ----
  logic sclk_s, cs_s, mosi_s;
  tern_sync2 #(.Width(3), .ResetValue(3'b010)) u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    ({sclk_i, cs_ni, mosi_i}),
    .q_o    ({sclk_s, cs_s, mosi_s})
  );

  logic sclk_prev_q, cs_prev_q;
  logic sclk_rise, frame_end;
  assign sclk_rise = sclk_s & ~sclk_prev_q & ~cs_s;
  assign frame_end = cs_s & ~cs_prev_q;

  // ---- frame state ----
  logic [6:0]  bitcnt_d, bitcnt_q;
  logic        long_d, long_q;      // more than 112 rising edges
  logic [63:0] req_d, req_q;
  logic [7:0]  crc_d, crc_q;        // serial CRC over the request bits (0 when correct)
  logic        chk_d, chk_q;        // request complete: check it this cycle
  logic        ok_d, ok_q;          // request accepted
  logic [38:0] tx_d, tx_q;          // reply bits 1..39 (bit 0 is the fixed '1')
  logic [7:0]  txcrc_d, txcrc_q;
  logic        miso_d, miso_q;
  logic [31:0] rsample_d, rsample_q;
  logic [15:0] err_d, err_q;
  logic [7:0]  streak_d, streak_q;

  logic [7:0]  cmd;
  logic        is_read, is_write, req_ok;
  logic [6:0]  status_tail;      // status[6:0]; status[7] is always 1

  assign cmd      = req_q[63:56];
  assign addr_o   = req_q[55:40];
  assign wdata_o  = req_q[39:8];
  assign is_read  = (cmd == CmdRead);
  assign is_write = (cmd == CmdWrite);
  assign req_ok   = (is_read | is_write) & (addr_o[1:0] == 2'b00) & hit_i & (crc_q == 8'h00);
  assign status_tail = {3'b010, ~req_ok, req_ok & is_write, safe_i, irq_i};

  always_comb begin
    bitcnt_d  = bitcnt_q;
    long_d    = long_q;
    req_d     = req_q;
    crc_d     = crc_q;
    chk_d     = 1'b0;
    ok_d      = ok_q;
    tx_d      = tx_q;
    txcrc_d   = txcrc_q;
    miso_d    = miso_q;
    rsample_d = rsample_q;
    err_d     = err_q;
    streak_d  = streak_q;
    we_o        = 1'b0;
    pop_o       = 1'b0;
    bad_frame_o = 1'b0;

    if (frame_end) begin
      if ((bitcnt_q == FrameBits) && !long_q && ok_q) begin
        streak_d = 8'd0;
        pop_o    = is_read;
      end else begin
        bad_frame_o = 1'b1;
        if (err_q != 16'hFFFF) err_d = err_q + 16'd1;
        if (streak_q != 8'hFF) streak_d = streak_q + 8'd1;
      end
    end

    if (cs_s) begin
      // idle (or frame end): get ready for the next frame
      bitcnt_d = 7'd0;
      long_d   = 1'b0;
      crc_d    = 8'h00;
      ok_d     = 1'b0;
      txcrc_d  = 8'h00;
      miso_d   = 1'b0;
    end else begin
      if (chk_q) begin
        ok_d      = req_ok;
        we_o      = req_ok & is_write;
        rsample_d = (req_ok & is_read) ? rdata_i : 32'h0;
        tx_d      = {status_tail, ((req_ok & is_read) ? rdata_i : 32'h0)};
      end
      if (sclk_rise) begin
        if (bitcnt_q == FrameBits) begin
          long_d = 1'b1;
        end else begin
          bitcnt_d = bitcnt_q + 7'd1;
        end
        if (bitcnt_q < 7'd64) begin
          req_d = {req_q[62:0], mosi_s};
          crc_d = crc_step(crc_q, mosi_s);
        end
        if (bitcnt_q == 7'd63) begin
          chk_d   = 1'b1;
          miso_d  = 1'b1;                       // status[7]: fixed pattern bit
          txcrc_d = crc_step(8'h00, 1'b1);
        end else if (bitcnt_q >= 7'd64 && bitcnt_q < 7'd103) begin
          miso_d  = tx_q[38];                   // status[6:0], rdata[31:0]
          tx_d    = {tx_q[37:0], 1'b0};
          txcrc_d = crc_step(txcrc_q, tx_q[38]);
        end else if (bitcnt_q >= 7'd103 && bitcnt_q < 7'd111) begin
          miso_d  = txcrc_q[7];                 // reply CRC
          txcrc_d = {txcrc_q[6:0], 1'b0};
        end else begin
          miso_d  = 1'b0;
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sclk_prev_q <= 1'b0;
      cs_prev_q   <= 1'b1;
      bitcnt_q    <= 7'd0;
      long_q      <= 1'b0;
      req_q       <= 64'h0;
      crc_q       <= 8'h00;
      chk_q       <= 1'b0;
      ok_q        <= 1'b0;
      tx_q        <= 39'h0;
      txcrc_q     <= 8'h00;
      miso_q      <= 1'b0;
      rsample_q   <= 32'h0;
      err_q       <= 16'h0;
      streak_q    <= 8'h0;
    end else begin
      sclk_prev_q <= sclk_s;
      cs_prev_q   <= cs_s;
      bitcnt_q    <= bitcnt_d;
      long_q      <= long_d;
      req_q       <= req_d;
      crc_q       <= crc_d;
      chk_q       <= chk_d;
      ok_q        <= ok_d;
      tx_q        <= tx_d;
      txcrc_q     <= txcrc_d;
      miso_q      <= miso_d;
      rsample_q   <= rsample_d;
      err_q       <= err_d;
      streak_q    <= streak_d;
    end
  end

  assign re_o        = chk_q;
  assign miso_o      = miso_q;
  assign rsample_o   = rsample_q;
  assign err_count_o = err_q;
  assign streak_o    = streak_q;

`ifndef SYNTHESIS
  // A write strobe only ever follows a complete request with a good CRC.
  SpiWriteNeedsCrc_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      we_o |-> (crc_q == 8'h00 && bitcnt_q >= 7'd64));
`endif
endmodule

`default_nettype wire
