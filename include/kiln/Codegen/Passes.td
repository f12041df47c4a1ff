//===- Passes.td - Code generation passes ------------------*- tablegen -*-===//
//
// Passes below the kiln dialect: on linalg, memref and loops, on the way to
// machine code.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnExpandStridedCopies
    : Pass<"kiln-expand-strided-copies", "func::FuncOp"> {
  let summary = "Turns copies between strided memrefs into loops";
  let description = [{
    MLIR lowers a `memref.copy` between non-contiguous memrefs to a call of
    `memrefCopy` from MLIR's C runner utilities, a library a compiled model
    should not need. This pass rewrites such copies as `linalg.generic`
    copies, which become plain loops; copies between contiguous memrefs stay
    and become `llvm.memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def KilnOutlineParallelLoops
    : Pass<"kiln-outline-parallel-loops", "ModuleOp"> {
  let summary = "Moves the bodies of parallel loops into functions";
  let description = [{
    Every outermost `scf.parallel` whose work is worth spreading over threads
    becomes a call of a new private function marked `kiln.parallel_body`:

    ```mlir
    func.func private @f_par0(%captured..., %begin: index, %end: index)
    ```

    which runs iterations `[begin, end)` of the loop's first dimension (and
    all of its other dimensions). The call covers the whole range, so the
    program means the same as before; `kiln-dispatch-parallel-loops` later
    hands such calls to the runtime's thread pool. Constants the body uses
    are cloned into the function; other values it uses become arguments.

    A loop whose static work (iterations times operations) is below
    `min-work` stays where it is: waking threads would cost more than it
    saves.

    The range covers more than the first dimension when that one is short:
    the following dimensions with static trip counts are collapsed into it
    (row-major) until the range has `min-iterations` iterations, counting a
    dynamic first dimension (a batch) as 1; the innermost dimension always
    stays in the body. So a loop over (N, 64, 56, 56) runs over N x 64
    iterations, and threads share it at batch 1.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1 << 15",
           "Smallest static work (iterations x operations) worth threads">,
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"64",
           "Collapse leading static dimensions into the range until it has "
           "this many iterations">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnDispatchParallelLoops
    : Pass<"kiln-dispatch-parallel-loops", "ModuleOp"> {
  let summary = "Runs outlined parallel loop bodies on the runtime's threads";
  let description = [{
    On the LLVM dialect, after `kiln-outline-parallel-loops` and the
    conversion to LLVM: each call of a `kiln.parallel_body` function stores
    its captured arguments in a stack record and calls
    `kiln.parallel_dispatch(thunk, record, begin, end)`. The dispatcher asks
    the runtime table in `@kiln_runtime_slot` (filled by the runtime when it
    opens the model, see kiln/abi.h) to run the thunk over the range on its
    thread pool, or runs the whole range itself when the slot is empty.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnHoistRuntimeChecks
    : Pass<"kiln-hoist-runtime-checks", "func::FuncOp"> {
  let summary = "Moves run-time shape checks to the start of the function";
  let description = [{
    The lowering guards assumptions it cannot prove statically (two dynamic
    dimensions that must agree, a reshape whose element count must divide)
    with `cf.assert`. A failed check ends the run (see kiln/abi.h), so the
    checks should all come before the function allocates anything. This pass
    moves each `cf.assert` of the entry block, with the side-effect-free
    computation of its condition (typically `tensor.dim` of the arguments and
    index arithmetic), to the start of the function. A check whose condition
    depends on computed data stays where it is.
  }];
}

def KilnLowerRuntimeChecks
    : Pass<"kiln-lower-runtime-checks", "ModuleOp"> {
  let summary = "Makes a failed check end the run through the runtime";
  let description = [{
    On the LLVM dialect, before `convert-cf-to-llvm` would turn `cf.assert`
    into a call of `abort`: each `cf.assert` becomes a call of
    `kiln.check(condition, message)`, which on failure calls the runtime's
    `fail` service (kiln/abi.h), or traps when no runtime is attached.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnLowerRuntimeAllocations
    : Pass<"kiln-lower-runtime-allocations", "ModuleOp"> {
  let summary = "Makes compiled code allocate its buffers through the runtime";
  let description = [{
    On the LLVM dialect, after `finalize-memref-to-llvm` with
    `use-generic-functions`: gives the declarations
    `_mlir_memref_to_llvm_alloc`, `_mlir_memref_to_llvm_aligned_alloc` and
    `_mlir_memref_to_llvm_free` internal bodies that call the runtime's
    `allocate` and `deallocate` services (kiln/abi.h), through the table in
    `@kiln_runtime_slot`, or malloc, aligned_alloc and free when no runtime
    filled the slot. The runtime keeps freed blocks for the next run.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def KilnLowerDynamicExpandShapes
    : Pass<"kiln-lower-dynamic-expand-shapes", "func::FuncOp"> {
  let summary = "Rewrites expand_shapes that expand-strided-metadata cannot";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes on a `memref.expand_shape`
    with more than one dynamic size in a reassociation group
    (llvm/llvm-project#186830, fixed in LLVM 23); reshapes and batched
    matmuls with several dynamic dimensions produce them. This pass rewrites
    exactly those ops into the `memref.extract_strided_metadata` and
    `memref.reinterpret_cast` that `expand-strided-metadata` would produce,
    with the sizes of the op's `output_shape`. Run it right before
    `expand-strided-metadata`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def KilnLowerAssignments : Pass<"kiln-lower-assignments", "func::FuncOp"> {
  let summary = "Turns kiln.assign into bufferization.materialize_in_destination";
  let description = [{
    Runs right before bufferization (later, canonicalization could drop a
    materialization whose result is unused). Each `kiln.assign %v into %arg`
    becomes `bufferization.materialize_in_destination %v in %arg`; with
    empty-tensor elimination the computation of `%v` then writes straight
    into the argument's buffer.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def KilnMapParallelLoopsToGPU
    : Pass<"kiln-map-parallel-loops-to-gpu", "func::FuncOp"> {
  let summary = "Turns outermost loops on buffers into GPU kernel launches";
  let description = [{
    The GPU pipeline's mapping of work onto blocks and threads. Every
    outermost `scf.parallel` (as `convert-linalg-to-parallel-loops` makes
    them) becomes a `gpu.launch` over its whole iteration space, linearized:
    thread `blockIdx.x * blockDim.x + threadIdx.x` runs one iteration, the
    last dimension varying fastest, so that neighbouring threads touch
    neighbouring elements of row-major buffers (coalesced accesses). A guard
    skips the threads past the end, and the launch itself is skipped when the
    space is empty (CUDA refuses a grid of zero blocks). Loops nested inside
    (reductions, inner parallel dimensions) stay loops inside the kernel.

    An outermost `scf.for` (a loop nest with no parallel dimension, e.g. a
    full reduction) becomes a kernel of one thread, and a `memref.copy`
    becomes `gpu.memcpy`, so that no access to buffers is left on the host.
    Loops that yield values to the host
    (`scf.parallel` reductions, `scf.for` with results) are rejected.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (1 to 1024)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnMergeGPUModules : Pass<"kiln-merge-gpu-modules", "ModuleOp"> {
  let summary = "Puts every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel its own `gpu.module`. This pass
    moves the kernels of all of them into the first, named
    `kiln_kernels`, each kernel renamed after the module it came from (unique
    names), and points every `gpu.launch_func` at its new place. A model then
    compiles to one PTX module: one run of LLVM's NVPTX backend, one
    `cuModuleLoadData` at run time. A module holding anything but kernels
    (e.g. functions the kernels call) stays as it is.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def KilnVectorizeContractions
    : Pass<"kiln-vectorize-contractions", "func::FuncOp"> {
  let summary = "Vector FMA kernels for f32 matmuls and convolutions";
  let description = [{
    Replaces each f32 contraction on buffers with one n dimension
    (linalg.matmul, linalg.batch_matmul, matmul-like linalg.generic with any
    batch dimensions; extra m dimensions, as in x[b, s, k] @ W[k, n], are
    looped over like batch ones, and extra k dimensions become nested
    reduction loops) whose B and C are contiguous along n, by a loop nest
    of vector FMAs:

    - an outermost `scf.parallel` over cache tiles of `tile-rows` x
      `tile-cols` (and the batch), flattened to one dimension so that
      `kiln-outline-parallel-loops` can spread every tile over threads;
    - inside, micro-kernels of `rows` x `vectors` vectors of
      `vector-bits / 32` lanes held in registers over the whole reduction:
      per step of k, `vectors` loads of a row of B, and per row a broadcast
      element of A and `vectors` FMAs (`vector.fma`);
    - tails: single rows, and single vectors with masked loads and stores.

    The kernel's rows run over all m dimensions flattened (x[s, b, k] with
    a batch of 1 is s rows). A static reduction longer than `k-block` runs
    in blocks of `k-block` steps around the column strips and rows of a
    tile (the slice of B stays in L2 while every row block reads it), the
    partial sums kept in C between blocks. A matmul with fewer than 4
    tiles (and N under 4 tiles' columns) gets tiles one strip wide, so that
    threads share a small-batch product. A B that `kiln-pack-matmul-weights`
    packed into panels exactly one strip wide is read from its panel
    without masks.

    When the accumulator's buffer is a local allocation used only by a
    `linalg.fill`, the contraction, one elementwise `linalg.generic` that
    reads it, and deallocations, the fill becomes the accumulators' initial
    value and the generic's body (bias, activation, residual add) is applied
    to the accumulators in registers before the store: the intermediate
    buffer is never written. A contraction that does not fit these forms is
    left as it is.

    Convolutions (`linalg.conv_2d_nchw_fchw`,
    `linalg.depthwise_conv_2d_nchw_chw`, f32, any strides and dilations)
    get the same treatment with the output width as the vector dimension
    and output channels as the kernel's rows (8 channels x 2 vectors, tiles
    of 64 channels by one output row): strided inputs are read with
    `vector.gather`, a broadcast-bias initializer of the accumulator stays
    and the kernel starts from what it wrote, and the consumer is fused as
    for matmuls. A generic that writes one outside value into the whole
    accumulator (a folded zero bias) counts as a fill.

    The same convolution as a `linalg.generic` reading a channels-last
    [C, KH, KW, F] filter (what `kiln-fold-constant-transposes` makes of a
    constant filter) is taken too. When its output channels are a whole
    number of vectors and its reduction is long (C x KH x KW at least four
    vectors' lanes) or its image narrower than one kernel's columns, the
    vectors run along the output channels instead: micro-kernels of 12
    output pixels (6 with AVX2; oh and ow flattened) x 2 vectors of
    channels, one broadcast input element per pixel and two filter vector
    loads per step of (c, kh, kw), inside an `scf.parallel` over (n, tiles
    of channels (at least 8 tiles per image), tiles of about 96 pixels). A
    constant broadcast bias initializer is then read as a vector and
    dropped; a residual strided along the channels in NCHW is gathered, and
    the result is transposed in registers into vectors along the output
    row, stored one masked row segment per channel (scattered only where
    the output's rows are not contiguous). A filter packed in strips of the kernel's 2 vectors
    ([F / S, C, KH, KW, S], `conv-strip` of `kiln-fold-constant-transposes`)
    is read one contiguous strip at a time. With static image sizes the
    pixels per kernel (at most 12) and per tile are chosen to leave the
    smallest remainder, which runs as one kernel.

    A 1x1 stride-1 convolution whose buffers collapse (or whose output is
    the interior of a padded buffer, stored one image row segment at a
    time with masked stores) runs as a matmul of the filter [F, C] with the
    input [C, OH * OW] where that beats channel vectors (at least 8 vectors
    of pixels, and a reduction under 12 vectors or at least 48 vectors of
    pixels).

    A depthwise convolution with a static filter of at most 25 taps and
    strides 1 or 2 gets a plane kernel: an `scf.parallel` over (image,
    channel, blocks of output rows), the channel's taps and bias held in
    registers, micro-kernels of several output rows x one vector along the
    width that load each input row once and feed every output row that
    reads it (stride 2: the even or odd elements of two contiguous loads).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Vector register width in bits (512 for AVX-512, 256 for AVX2)">,
    Option<"rowsPerKernel", "rows", "int64_t", /*default=*/"6",
           "Rows of C per micro-kernel">,
    Option<"vectorsPerKernel", "vectors", "int64_t", /*default=*/"4",
           "Vectors of C per row in a micro-kernel">,
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"96",
           "Rows of C per parallel tile">,
    Option<"tileCols", "tile-cols", "int64_t", /*default=*/"256",
           "Columns of C per parallel tile">,
    Option<"kBlock", "k-block", "int64_t", /*default=*/"128",
           "Matmuls with a static reduction longer than this run it in "
           "blocks of this many steps, partial sums kept in C (0: never)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnVectorizeRowReductions
    : Pass<"kiln-vectorize-row-reductions", "func::FuncOp"> {
  let summary = "Fused, vectorized row reductions (softmax, normalization)";
  let description = [{
    Finds runs of consecutive f32 ops on buffers that share the same rows
    and contain a reduction along the innermost, contiguous dimension:
    `linalg.fill`s of per-row accumulators, such reductions (sum, max, min,
    product of an elementwise expression), elementwise generics reading a
    row and per-row values (broadcast along the row), and per-row scalar
    generics. Between them may sit allocations, views, size queries, pure
    scalar arithmetic and deallocations (which move after the result).
    Each run becomes one `scf.parallel` over the rows that, for each row,
    runs the ops in order: vector loops of `vector-bits / 32` lanes along
    the row with a masked tail, a vector accumulator and one
    `vector.reduction` per reduction, scalar code for per-row ops. Softmax
    (max, exp and sum, divide) and layer normalization (mean, variance,
    normalize and scale) each become one pass over every row while it is in
    cache.

    Every buffer the run writes must be accessed by all of the run's ops at
    the same row (identity layouts, non-unit dimensions indexed by the row
    loops in order, then the column); ops that break this, reductions along
    other dimensions and runs without a reduction are left as they are.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Vector register width in bits (512 for AVX-512, 256 for AVX2)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnVectorizeElementwise
    : Pass<"kiln-vectorize-elementwise", "func::FuncOp"> {
  let summary = "Vector loops for standalone elementwise ops on buffers";
  let description = [{
    Every linalg op on buffers whose loops are all parallel and whose body
    can run on vectors (arith and math ops on floats and integers of 8-64
    bits; no integer division, no `linalg.index`) becomes one
    `scf.parallel` over its outer dimensions around loops of
    `vector-bits / 32` lanes along the innermost one, with a masked tail.
    The outputs must use identity maps and have a contiguous innermost
    dimension; each input must either be read along that dimension
    contiguously, or not depend on it (a per-row value or a scalar, loaded
    once and broadcast). Trailing dimensions that every operand reads
    contiguously (identity layouts, the same dimensions in order) or not at
    all are collapsed into one, so that a [B, 7, 7] op runs as vectors of
    49 elements and a same-shape op as one long vector loop. The collapsed
    dimension is cut into chunks of `chunk-elements`, a dimension of the
    `scf.parallel`, so that threads get work when the outer dimensions are
    short.

    Fills, ops over transposed inputs, ops whose inputs alias an output
    through a different view, buffers of i1 and index, and ops with a
    column of one element are left as they are. f32 exp, tanh, erf and log
    become polynomials later (`kiln-approximate-vector-math`).

    Pools (`linalg.pooling_nchw_max` and `linalg.pooling_nchw_sum` on
    buffers, window of at most 64 positions, stride 1 or 2 along the row,
    any dilation) become one `scf.parallel` over (batch, channel, output
    row) around a vector loop along the output row: the window unrolled, the
    accumulator loaded from the output, stride-2 rows read as two vectors'
    worth of contiguous input (masked at the row's end) whose even elements
    a shuffle picks.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Vector register width in bits (512 for AVX-512, 256 for AVX2)">,
    Option<"chunkElements", "chunk-elements", "int64_t", /*default=*/"4096",
           "Elements of the innermost (collapsed) dimension per parallel "
           "iteration">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnApproximateVectorMath
    : Pass<"kiln-approximate-vector-math", "func::FuncOp"> {
  let summary = "Polynomial f32 vector exp/erf/tanh/log; unrolls other vector math";
  let description = [{
    Run before `convert-vector-to-llvm`, on the vector ops the kernel passes
    produce. Each f32 vector `math.exp`, `math.erf`, `math.tanh` and
    `math.log` becomes MLIR's polynomial approximation (vector arithmetic
    at the same width, no libm call per lane). Every other math op on 1-D
    vectors that LLVM cannot lower as a vector (`math.erfc`, `math.cbrt`,
    `math.asinh`, ...) is unrolled into one scalar op per lane, so that the
    later scalar math lowerings take it (MathToLibm would otherwise unroll
    it into `vector.extract` ops after the vector dialect is gone). Scalar
    math is left untouched.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def KilnDropContractionUnitDims
    : Pass<"kiln-drop-contraction-unit-dims", "func::FuncOp"> {
  let summary = "Drops dimensions of size 1 from contractions on tensors";
  let description = [{
    Each `linalg.generic` on tensors that is a contraction (a multiply-add
    with reduction loops) loses its loops of extent 1, through upstream's
    unit-extent-dimension patterns with expand/collapse_shape around it, so
    that a matmul carrying a unit dimension (the ONNX LSTM's input
    projection against W[I, 1, 4H]) reaches the matmul kernels of
    `kiln-vectorize-contractions`. Other ops keep their shapes.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def KilnUnshareInitializers
    : Pass<"kiln-unshare-initializers", "func::FuncOp"> {
  let summary = "Gives every accumulator its own fill or bias broadcast";
  let description = [{
    A linalg op on tensors that only initializes a fresh `tensor.empty` (a
    fill, a bias broadcast) and whose result is the init (`outs`) of
    several ops, because CSE merged identical initializers, is cloned
    (with its `tensor.empty`) right before each such use but one. Without
    this, bufferization copies the shared buffer for every extra user, and
    `kiln-vectorize-contractions` cannot fold the fill into its registers.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def KilnFoldConstantTransposes
    : Pass<"kiln-fold-constant-transposes", "func::FuncOp"> {
  let summary = "Transposes constant tensors and packs constant convolution filters at compile time";
  let description = [{
    Each `linalg.transpose` (on tensors, static shapes) of an `arith.constant`
    (dense or `dense_resource`, any element type of whole bytes) becomes a
    constant holding the transposed data: a new `dense_resource` blob, or a
    splat of the new shape. Weights stored as [out, in] (ONNX Gemm with
    transB, PyTorch's Linear) are then laid out once for the matmul kernels
    instead of being transposed on every run. The original constant is
    dropped when nothing else uses it.

    Each `linalg.conv_2d_nchw_fchw` (on tensors) with a constant [F, C, KH,
    KW] filter becomes the same convolution as a `linalg.generic` (loops
    n, f, oh, ow, c, kh, kw) that reads the filter packed once, here, as
    [C, KH, KW, F]: the convolution kernels of
    `kiln-vectorize-contractions` load a vector of output channels' weights
    from it, or neighbouring channels' scalars from one cache line.

    With `conv-strip=S` (S > 0) and F a multiple of S, the filter is packed
    in strips of S output channels instead, as [F / S, C, KH, KW, S] (read
    through (f floordiv S, c, kh, kw, f mod S)): S is the width of the
    channel-vector kernel's strip, which then reads its C x KH x KW x S
    weights as one contiguous block (rows F * 4 bytes apart mapped a strip
    onto a few cache sets and streamed it from L3 on every pass).
  }];
  let options = [
    Option<"convStrip", "conv-strip", "int64_t", /*default=*/"0",
           "Output channels per packed filter strip (0: channels last, "
           "[C, KH, KW, F])">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def KilnPackMatmulWeights
    : Pass<"kiln-pack-matmul-weights", "func::FuncOp"> {
  let summary = "Packs constant matmul weights into the kernels' column panels";
  let description = [{
    Each f32 contraction on tensors (named matmul, batch matmul, or a
    matmul-like `linalg.generic`) whose B operand is a constant of static
    shape [r..., N] with N innermost and at least `panel-cols` wide (looking
    through `tensor.collapse_shape`/`expand_shape` of an `arith.constant`)
    becomes a `linalg.generic` with the same loops and body that reads B
    from a new constant laid out once, here, in panels of `panel-cols`
    columns:

        packed[p, r..., c] = B[r..., p * panel-cols + c]   (0 past N)

    of shape [ceil(N / panel-cols), r..., panel-cols], through the map
    (..., n, ...) -> (n floordiv panel-cols, r..., n mod panel-cols).
    `kiln-vectorize-contractions`, when `panel-cols` is its `vectors` x
    lanes, then reads each column strip of B as one contiguous block (no
    cache-set conflicts when N * 4 is a multiple of 4 KB) and loads the
    zero-padded last panel without masks. Matmuls reading the same constant
    share one packed copy; the original constant is dropped when nothing
    else reads it. `panel-cols=0` turns the pass off.
  }];
  let options = [
    Option<"panelCols", "panel-cols", "int64_t", /*default=*/"64",
           "Columns per panel: the matmul kernel's vectors x lanes (64 for "
           "AVX-512, 32 for AVX2)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def KilnCountKernels : Pass<"kiln-count-kernels", "ModuleOp"> {
  let summary = "Records loop nests and local buffer bytes for --stats";
  let description = [{
    Counts the outermost loop nests of every function (linalg ops, `scf.for`,
    `scf.parallel` and `memref.copy` directly in a function's blocks) and
    the bytes of its `memref.alloc` buffers (static shapes; dynamic ones are
    counted apart), and records them in the module's `kiln.stats`
    dictionary as `LABEL_loop_nests`, `LABEL_buffer_bytes` and
    `LABEL_dynamic_buffers`. The CPU pipeline runs it before and after
    kernel fusion; `kiln compile --stats` prints the figures. Nothing else
    changes.
  }];
  let options = [
    Option<"label", "label", "std::string", /*default=*/"\"count\"",
           "Prefix of the recorded figures">
  ];
}

#endif // KILN_CODEGEN_PASSES_TD
