// Synchronous FIFO, first-word fall-through (rdata_o is the head while !empty_o).
// Pointers carry a wrap bit. A push while full is dropped and reported on ovf_o (one cycle);
// a pop while empty is ignored. clr_i empties the FIFO. The memory is not reset.
`default_nettype none

module tern_fifo #(
  parameter int unsigned Width = 24,
  parameter int unsigned Depth = 16,  // power of two
  localparam int unsigned AddrW  = $clog2(Depth),
  localparam int unsigned DepthW = AddrW + 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              clr_i,
  input  logic              push_i,
  input  logic [Width-1:0]  wdata_i,
  input  logic              pop_i,
  output logic [Width-1:0]  rdata_o,
  output logic [DepthW-1:0] depth_o,
  output logic              empty_o,
  output logic              full_o,
  output logic              ovf_o
);
  logic [Width-1:0]  mem_q [Depth];
  logic [DepthW-1:0] wptr_d, wptr_q, rptr_d, rptr_q;
  logic              do_push, do_pop;

  assign depth_o = wptr_q - rptr_q;
  assign empty_o = (wptr_q == rptr_q);
  assign full_o  = (depth_o == DepthW'(Depth));
  assign do_push = push_i & ~full_o & ~clr_i;
  assign do_pop  = pop_i & ~empty_o & ~clr_i;
  assign ovf_o   = push_i & full_o & ~clr_i;
  assign rdata_o = mem_q[rptr_q[AddrW-1:0]];

  always_comb begin
    wptr_d = wptr_q;
    rptr_d = rptr_q;
    if (clr_i) begin
      rptr_d = wptr_q;
    end else begin
      if (do_push) wptr_d = wptr_q + DepthW'(1);
      if (do_pop)  rptr_d = rptr_q + DepthW'(1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
    end else begin
      wptr_q <= wptr_d;
      rptr_q <= rptr_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (do_push) mem_q[wptr_q[AddrW-1:0]] <= wdata_i;
  end

`ifndef SYNTHESIS
  FifoDepth_A: assert property (@(posedge clk_i) disable iff (!rst_ni)
      depth_o <= DepthW'(Depth))
    else $error("FifoDepth_A: occupancy %0d > %0d", depth_o, Depth);
`endif
endmodule

`default_nettype wire
