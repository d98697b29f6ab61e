// GPIO: 16 pins. Inputs are 2-flop synchronised and debounced; rising/falling edges of the
// debounced value raise per-pin events (intr_set_o) when enabled. Output levels and enables
// come from GPIO_OUT/GPIO_OE; the masked-write registers (upper 16 = mask, lower 16 = data)
// produce the next value for the bank (out_d_o/oe_d_o, written when *_de_o).
// In the safe state gpio_o = 0 and gpio_oe_o = 0 (all pins are inputs).
`default_nettype none

module tern_gpio (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        safe_i,         // next safe state
  input  logic        deb_tick_i,
  input  logic [3:0]  deb_thresh_i,
  // pins
  input  logic [15:0] gpio_i,
  output logic [15:0] gpio_o,
  output logic [15:0] gpio_oe_o,
  // registers
  input  logic [15:0] out_i,
  input  logic [15:0] oe_i,
  input  logic        masked_out_qe_i,
  input  logic [15:0] masked_out_data_i,
  input  logic [15:0] masked_out_mask_i,
  input  logic        masked_oe_qe_i,
  input  logic [15:0] masked_oe_data_i,
  input  logic [15:0] masked_oe_mask_i,
  output logic        out_de_o,
  output logic [15:0] out_d_o,
  output logic        oe_de_o,
  output logic [15:0] oe_d_o,
  input  logic [15:0] rise_en_i,
  input  logic [15:0] fall_en_i,
  output logic [15:0] in_o,
  output logic [15:0] intr_set_o
);
  logic [15:0] in_s, in_deb, in_prev_q;
  logic [15:0] pin_d, pin_q, oe_d, oe_q;

  tern_sync2 #(.Width(16), .ResetValue(16'h0)) u_sync (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (gpio_i),
    .q_o    (in_s)
  );

  tern_debounce #(.Width(16), .ResetValue(16'h0)) u_deb (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .tick_i   (deb_tick_i),
    .thresh_i (deb_thresh_i),
    .d_i      (in_s),
    .q_o      (in_deb)
  );

  assign in_o       = in_deb;
  assign intr_set_o = (in_deb & ~in_prev_q & rise_en_i) | (~in_deb & in_prev_q & fall_en_i);

  assign out_de_o = masked_out_qe_i;
  assign out_d_o  = (out_i & ~masked_out_mask_i) | (masked_out_data_i & masked_out_mask_i);
  assign oe_de_o  = masked_oe_qe_i;
  assign oe_d_o   = (oe_i & ~masked_oe_mask_i) | (masked_oe_data_i & masked_oe_mask_i);

  assign pin_d = safe_i ? 16'h0 : out_i;
  assign oe_d  = safe_i ? 16'h0 : oe_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_prev_q <= 16'h0;
      pin_q     <= 16'h0;
      oe_q      <= 16'h0;
    end else begin
      in_prev_q <= in_deb;
      pin_q     <= pin_d;
      oe_q      <= oe_d;
    end
  end

  assign gpio_o    = pin_q;
  assign gpio_oe_o = oe_q;
endmodule

`default_nettype wire
