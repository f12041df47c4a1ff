//===- Recurrent.cpp - ONNX recurrent ops ---------------------------------===//
//
// RNN, GRU and LSTM: one matmul of the whole sequence with W up front (both
// biases added to it), then the cell per step: a matmul with R, slices for
// the gates and elementwise activations. A sequence of more than one step
// becomes one kiln.scan per direction, whose body is the cell built once
// (so the steps may be a run-time count); a single step is built inline.
// Per-batch `sequence_lens` (constant or not) are honoured by masking: a
// step past a sequence's end keeps its state and writes zeros to Y, which
// also makes the reverse direction start at each sequence's own end. The
// cell is plain kiln ops either way; kiln.scan has no gradient rule (the C++
// DSL's recurrent layers, which training needs, unroll their own steps).
//
//===----------------------------------------------------------------------===//

#include "../NodeImporter.h"
#include "OpChain.h"

#include "kiln/Dialect/Kiln/IR/ConstantOperands.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

enum class CellKind { RNN, GRU, LSTM };

/// Sequences of more than one step import as one kiln.scan (a loop) rather
/// than as a copy of the cell per step.
constexpr bool kLoopOverSteps = true;

/// One activation function of the cell, with its parameters.
struct Activation {
  std::string name; // lower case
  float alpha = 0, beta = 0;
};

/// How many of activation_alpha and activation_beta a function takes, and
/// their defaults (those of the ONNX ops of the same names).
struct ActivationInfo {
  StringRef name;
  int alphas, betas;
  float alpha, beta;
};
constexpr ActivationInfo kActivations[] = {{"relu", 0, 0, 0, 0},
                                           {"tanh", 0, 0, 0, 0},
                                           {"sigmoid", 0, 0, 0, 0},
                                           {"affine", 1, 1, 1.0f, 0.0f},
                                           {"leakyrelu", 1, 0, 0.01f, 0},
                                           {"thresholdedrelu", 1, 0, 1.0f, 0},
                                           {"scaledtanh", 1, 1, 1.0f, 1.0f},
                                           {"hardsigmoid", 1, 1, 0.2f, 0.5f},
                                           {"elu", 1, 0, 1.0f, 0},
                                           {"softsign", 0, 0, 0, 0},
                                           {"softplus", 0, 0, 0, 0}};

class RecurrentImporter {
public:
  RecurrentImporter(OnnxNode &node, CellKind kind)
      : node(node), chain(node), kind(kind) {}

  LogicalResult run();

private:
  /// The activations per direction, from the attributes or the defaults.
  LogicalResult readActivations(int64_t directions);
  Value activate(const Activation &a, Value x);

  // Small builders over OpChain.
  Value vector(ArrayRef<int64_t> values) {
    auto type = RankedTensorType::get({(int64_t)values.size()},
                                      node.getBuilder().getI64Type());
    return ConstantOp::create(node.getBuilder(), node.getLoc(),
                              DenseElementsAttr::get(type, values));
  }
  Value slice(Value v, int64_t axis, int64_t start, int64_t end) {
    if (!chain.ok())
      return {};
    return chain.create<SliceOp>(v, vector(start), vector(end), vector(axis),
                                 vector(1));
  }
  Value reshape(Value v, ArrayRef<int64_t> spec) {
    return chain.create<ReshapeOp>(v, spec);
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    return chain.create<TransposeOp>(v, perm);
  }
  Value scalar(double v) { return chain.scalar(elementType, v); }
  Value add(Value a, Value b) { return chain.create<AddOp>(a, b); }
  Value sub(Value a, Value b) { return chain.create<SubOp>(a, b); }
  Value mul(Value a, Value b) { return chain.create<MulOp>(a, b); }
  Value matmul(Value a, Value b) { return chain.create<MatmulOp>(a, b); }
  /// The input of an activation, clipped when the node asks for it.
  Value clip(Value x) {
    if (!clipValue)
      return x;
    return chain.clamp(x, scalar(-*clipValue), scalar(*clipValue));
  }
  /// Entry `d` of a per-direction tensor [D, ...] without its first dim.
  Value direction(Value v, int64_t d, ArrayRef<int64_t> rest) {
    SmallVector<int64_t> spec(rest);
    return reshape(slice(v, 0, d, d + 1), spec);
  }

  /// Runs one direction over the sequence; returns Y [T, 1, B, H], the last
  /// H and (LSTM) the last C, each [1, B, H].
  struct DirectionResult {
    Value y, h, c;
  };
  DirectionResult runDirection(int64_t d, bool reverse);
  /// The same as one kiln.scan over the steps, with `cell` as its body.
  DirectionResult scanDirection(
      Value xw, Value h, Value c, bool reverse,
      function_ref<std::tuple<Value, Value, Value>(Value, Value, Value, Value)>
          cell);

  OnnxNode &node;
  OpChain chain;
  CellKind kind;
  Type elementType;
  int64_t hidden = 0, gates = 0, steps = 0;
  Value x, w, r, bias, sequenceLens, initialH, initialC, peepholes;
  std::optional<float> clipValue;
  bool linearBeforeReset = false, inputForget = false;
  /// Whether the steps become one kiln.scan rather than being unrolled.
  bool useScan = false;
  SmallVector<SmallVector<Activation>> activations; // per direction
};

LogicalResult RecurrentImporter::readActivations(int64_t directions) {
  SmallVector<StringRef> defaults;
  switch (kind) {
  case CellKind::RNN:
    defaults = {"tanh"};
    break;
  case CellKind::GRU:
    defaults = {"sigmoid", "tanh"};
    break;
  case CellKind::LSTM:
    defaults = {"sigmoid", "tanh", "tanh"};
    break;
  }
  size_t perCell = defaults.size();
  SmallVector<std::string> names;
  if (node.hasAttr("activations")) {
    const onnx::AttributeProto *attr = node.attr("activations");
    for (const std::string &s : attr->strings())
      names.push_back(llvm::StringRef(s).lower());
    if (names.size() != perCell * directions)
      return node.emitError() << "expects " << perCell * directions
                              << " activations, got " << names.size();
  } else {
    for (int64_t d = 0; d < directions; ++d)
      for (StringRef s : defaults)
        names.push_back(s.str());
  }
  SmallVector<float> alphas = node.floatsAttr("activation_alpha");
  SmallVector<float> betas = node.floatsAttr("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  activations.assign(directions, {});
  for (auto [i, name] : llvm::enumerate(names)) {
    const ActivationInfo *info = llvm::find_if(
        kActivations, [&](const ActivationInfo &a) { return a.name == name; });
    if (info == std::end(kActivations))
      return node.emitError() << "activation '" << name << "' is not supported";
    Activation a{name, info->alpha, info->beta};
    // The lists are consumed in order by the functions that take them.
    if (info->alphas && nextAlpha < alphas.size())
      a.alpha = alphas[nextAlpha++];
    if (info->betas && nextBeta < betas.size())
      a.beta = betas[nextBeta++];
    activations[i / perCell].push_back(a);
  }
  return success();
}

Value RecurrentImporter::activate(const Activation &a, Value v) {
  if (!chain.ok())
    return {};
  v = clip(v);
  StringRef name = a.name;
  Value zero = scalar(0);
  if (name == "relu")
    return chain.create<ReluOp>(v);
  if (name == "tanh")
    return chain.create<TanhOp>(v);
  if (name == "sigmoid")
    return chain.create<SigmoidOp>(v);
  if (name == "affine")
    return add(mul(v, scalar(a.alpha)), scalar(a.beta));
  if (name == "leakyrelu")
    return chain.create<SelectOp>(chain.create<LessOp>(v, zero),
                                  mul(v, scalar(a.alpha)), v);
  if (name == "thresholdedrelu")
    return chain.create<SelectOp>(chain.create<GreaterOp>(v, scalar(a.alpha)),
                                  v, zero);
  if (name == "scaledtanh")
    return mul(scalar(a.alpha), chain.create<TanhOp>(mul(v, scalar(a.beta))));
  if (name == "hardsigmoid")
    return chain.clamp(add(mul(v, scalar(a.alpha)), scalar(a.beta)), zero,
                       scalar(1));
  if (name == "elu")
    return chain.create<SelectOp>(
        chain.create<LessOp>(v, zero),
        mul(scalar(a.alpha), sub(chain.create<ExpOp>(v), scalar(1))), v);
  if (name == "softsign")
    return chain.create<DivOp>(v, add(scalar(1), chain.create<AbsOp>(v)));
  // softplus
  return chain.create<LogOp>(add(scalar(1), chain.create<ExpOp>(v)));
}

RecurrentImporter::DirectionResult
RecurrentImporter::runDirection(int64_t d, bool reverse) {
  int64_t gh = gates * hidden;
  const SmallVector<Activation> &act = activations[d];
  // Weights as right operands: W^T [I, G*H], R^T [H, G*H].
  Value wt = transpose(direction(w, d, {gh, -1}), {1, 0});
  Value rt = transpose(direction(r, d, {gh, hidden}), {1, 0});
  // The input's contribution to every step in one matmul: [T, B, G*H].
  Value xw = matmul(x, wt);
  Value rb;
  if (bias) {
    Value b = direction(bias, d, {2 * gh});
    Value wb = slice(b, 0, 0, gh);
    rb = slice(b, 0, gh, 2 * gh);
    // The recurrent bias joins the input's bias, added once for the whole
    // sequence rather than per step, except GRU's R_h bias under
    // linear_before_reset, which the reset gate multiplies.
    if (kind != CellKind::GRU || !linearBeforeReset) {
      wb = add(wb, rb);
      rb = Value();
    }
    xw = add(xw, wb);
  }
  // Missing initial states are zeros, [1, H], which broadcast over B.
  auto initial = [&](Value given) {
    if (given)
      return direction(given, d, {-1, hidden});
    auto type = RankedTensorType::get({1, hidden}, elementType);
    return node.constant(type, SmallVector<double>(hidden, 0.0));
  };
  Value h = initial(initialH), c;
  if (kind == CellKind::LSTM)
    c = initial(initialC);
  Value pi, po, pf;
  if (peepholes) {
    Value p = direction(peepholes, d, {3 * hidden});
    pi = slice(p, 0, 0, hidden);
    po = slice(p, 0, hidden, 2 * hidden);
    pf = slice(p, 0, 2 * hidden, 3 * hidden);
  }
  // GRU's candidate gate multiplies R_h by the reset gate, so its part of R
  // and of the recurrent bias are kept apart.
  Value rtZR = rt, rtH, rbZR = rb, rbH;
  if (kind == CellKind::GRU) {
    rtZR = slice(rt, 1, 0, 2 * hidden);
    rtH = slice(rt, 1, 2 * hidden, gh);
    if (rb) {
      rbZR = slice(rb, 0, 0, 2 * hidden);
      rbH = slice(rb, 0, 2 * hidden, gh);
    }
  }
  auto gate = [&](Value v, int64_t k) {
    return slice(v, 1, k * hidden, (k + 1) * hidden);
  };
  auto withBias = [&](Value v, Value b) { return b ? add(v, b) : v; };

  // One step: from the input's contribution xt [B, G*H] and the states, the
  // new states and the step's output. `position` (a rank-0 tensor of
  // sequence_lens' element type) is the step's place in the sequence.
  auto cell = [&](Value xt, Value h, Value c, Value position) {
    Value hNew, cNew;
    switch (kind) {
    case CellKind::RNN:
      hNew = activate(act[0], add(xt, withBias(matmul(h, rt), rb)));
      break;
    case CellKind::GRU: {
      Value zr =
          add(slice(xt, 1, 0, 2 * hidden), withBias(matmul(h, rtZR), rbZR));
      Value z = activate(act[0], gate(zr, 0));
      Value rg = activate(act[0], gate(zr, 1));
      Value xh = gate(xt, 2);
      Value candidate = linearBeforeReset
                            ? add(xh, mul(rg, withBias(matmul(h, rtH), rbH)))
                            : add(xh, withBias(matmul(mul(rg, h), rtH), rbH));
      Value hc = activate(act[1], candidate);
      hNew = add(mul(sub(scalar(1), z), hc), mul(z, h));
      break;
    }
    case CellKind::LSTM: {
      Value g = add(xt, withBias(matmul(h, rt), rb));
      Value gi = gate(g, 0), go = gate(g, 1), gf = gate(g, 2), gc = gate(g, 3);
      if (pi) {
        gi = add(gi, mul(pi, c));
        gf = add(gf, mul(pf, c));
      }
      Value it = activate(act[0], gi);
      Value ft = inputForget ? sub(scalar(1), it) : activate(act[0], gf);
      Value ct = activate(act[1], gc);
      cNew = add(mul(ft, c), mul(it, ct));
      if (po)
        go = add(go, mul(po, cNew));
      Value ot = activate(act[0], go);
      hNew = mul(ot, activate(act[2], cNew));
      break;
    }
    }
    Value y = hNew;
    if (sequenceLens) {
      // Steps at or past a sequence's length keep the state, output 0.
      Value inside =
          reshape(chain.create<LessOp>(position, sequenceLens), {-1, 1});
      y = chain.create<SelectOp>(inside, hNew, scalar(0));
      hNew = chain.create<SelectOp>(inside, hNew, h);
      if (cNew)
        cNew = chain.create<SelectOp>(inside, cNew, c);
    }
    return std::make_tuple(hNew, cNew, y);
  };
  if (!chain.ok())
    return {};
  Type lensType =
      sequenceLens ? getElementTypeOrSelf(sequenceLens.getType()) : Type();

  if (useScan)
    return scanDirection(xw, h, c, reverse, cell);

  SmallVector<Value> ys(steps);
  for (int64_t i = 0; i < steps && chain.ok(); ++i) {
    int64_t t = reverse ? steps - 1 - i : i;
    Value xt = reshape(slice(xw, 0, t, t + 1), {-1, gh});
    Value position = sequenceLens ? chain.scalar(lensType, t) : Value();
    auto [hNew, cNew, y] = cell(xt, h, c, position);
    h = hNew;
    c = cNew;
    ys[t] = reshape(y, {1, 1, -1, hidden});
  }
  if (!chain.ok())
    return {};
  DirectionResult result;
  result.y = steps == 1 ? ys[0] : chain.create<ConcatOp>(ValueRange(ys), 0);
  result.h = reshape(h, {1, -1, hidden});
  if (c)
    result.c = reshape(c, {1, -1, hidden});
  return result;
}

RecurrentImporter::DirectionResult RecurrentImporter::scanDirection(
    Value xw, Value h, Value c, bool reverse,
    function_ref<std::tuple<Value, Value, Value>(Value, Value, Value, Value)>
        cell) {
  OpBuilder &builder = node.getBuilder();
  Location loc = node.getLoc();
  // The states have their batch extent from the start (the default initial
  // states are [1, H] and broadcast in the unrolled form): zeros like one
  // step of the input's contribution.
  auto batchWide = [&](Value state) {
    auto type = cast<RankedTensorType>(state.getType());
    if (type.getDimSize(0) != 1 ||
        cast<RankedTensorType>(xw.getType()).getDimSize(1) == 1)
      return state;
    int64_t batch = cast<RankedTensorType>(xw.getType()).getDimSize(1);
    Value zeros;
    if (!ShapedType::isDynamic(batch)) {
      auto type = RankedTensorType::get({batch, hidden}, elementType);
      zeros = node.constant(type, SmallVector<double>(batch * hidden, 0.0));
    } else {
      Value like =
          reshape(slice(slice(xw, 0, 0, 1), 2, 0, hidden), {-1, hidden});
      zeros = chain.create<FullLikeOp>(like, builder.getF64FloatAttr(0.0));
    }
    return add(zeros, state);
  };
  SmallVector<Value> inits{batchWide(h)};
  if (c)
    inits.push_back(batchWide(c));
  if (!chain.ok())
    return {};

  // The body, built in a block of its own before the op (whose result types
  // depend on what the body yields).
  auto body = std::make_unique<Block>();
  auto xwType = cast<RankedTensorType>(xw.getType());
  body->addArgument(RankedTensorType::get({}, builder.getI64Type()), loc);
  for (Value init : inits)
    body->addArgument(init.getType(), loc);
  Value xt =
      body->addArgument(RankedTensorType::get(xwType.getShape().drop_front(),
                                              xwType.getElementType()),
                        loc);
  SmallVector<Value> yielded;
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(body.get());
    Value position;
    if (sequenceLens)
      position = chain.cast(body->getArgument(0),
                            getElementTypeOrSelf(sequenceLens.getType()));
    Value cIn = c ? body->getArgument(2) : Value();
    auto [hNew, cNew, y] = cell(xt, body->getArgument(1), cIn, position);
    if (!chain.ok())
      return {};
    yielded.push_back(hNew);
    if (cNew)
      yielded.push_back(cNew);
    yielded.push_back(y);
    YieldOp::create(builder, loc, yielded);
  }

  SmallVector<Type> resultTypes;
  for (Value init : inits)
    resultTypes.push_back(init.getType());
  auto yType = cast<RankedTensorType>(yielded.back().getType());
  SmallVector<int64_t> stacked{xwType.getDimSize(0)};
  llvm::append_range(stacked, yType.getShape());
  resultTypes.push_back(RankedTensorType::get(stacked, elementType));
  auto scan =
      ScanOp::create(builder, loc, resultTypes, inits, ValueRange{xw}, reverse);
  scan.getBody().push_back(body.release());
  if (failed(mlir::verify(scan))) {
    node.emitError() << "could not build the loop over the time steps";
    chain.fail();
    return {};
  }

  DirectionResult result;
  result.y = chain.create<UnsqueezeOp>(scan.getOutputs()[0], vector({1}));
  result.h = reshape(scan.getFinalStates()[0], {1, -1, hidden});
  if (c)
    result.c = reshape(scan.getFinalStates()[1], {1, -1, hidden});
  if (!chain.ok())
    return {};
  return result;
}

LogicalResult RecurrentImporter::run() {
  x = chain.requiredInput(0);
  w = chain.requiredInput(1);
  r = chain.requiredInput(2);
  if (!chain.ok())
    return failure();
  bias = node.input(3);
  sequenceLens = node.input(4);
  initialH = node.input(5);
  if (kind == CellKind::LSTM) {
    initialC = node.input(6);
    peepholes = node.input(7);
  }
  elementType = elementTypeOf(x);
  if (!isa<FloatType>(elementType))
    return node.emitError() << "expects a floating-point input";
  for (auto [name, v] :
       {std::pair<StringRef, Value>{"X", x}, {"W", w}, {"R", r}})
    if (tensorRank(v) != 3)
      return node.emitError()
             << "expects " << name << " of rank 3, got " << tensorRank(v);
  gates = kind == CellKind::RNN ? 1 : kind == CellKind::GRU ? 3 : 4;

  std::string dir = node.stringAttr("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return node.emitError() << "direction '" << dir << "' is not supported";
  int64_t directions = dir == "bidirectional" ? 2 : 1;
  auto wShape = cast<RankedTensorType>(w.getType()).getShape();
  if (!ShapedType::isDynamic(wShape[0]) && wShape[0] != directions)
    return node.emitError() << "expects W with " << directions
                            << " direction(s), got " << wShape[0];
  auto rShape = cast<RankedTensorType>(r.getType()).getShape();
  hidden = node.intAttr("hidden_size", rShape[2]);
  if (ShapedType::isDynamic(hidden) || hidden < 1)
    return node.emitError() << "needs hidden_size or a static R";

  int64_t layout = node.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    return node.emitError() << "layout " << layout << " is not supported";
  if (layout == 1) {
    // [B, T, I] and [B, D, H] to the time-major forms.
    x = transpose(x, {1, 0, 2});
    if (initialH)
      initialH = transpose(initialH, {1, 0, 2});
    if (initialC)
      initialC = transpose(initialC, {1, 0, 2});
    if (!chain.ok())
      return failure();
  }
  steps = cast<RankedTensorType>(x.getType()).getDimSize(0);
  // One step needs no loop.
  useScan = kLoopOverSteps && (ShapedType::isDynamic(steps) || steps > 1);
  if (ShapedType::isDynamic(steps) && !useScan)
    return node.emitError() << "a sequence length known only at run time is "
                               "not supported (the time steps are unrolled)";
  if (!ShapedType::isDynamic(steps) && steps < 1)
    return node.emitError() << "expects at least one time step";

  if (node.hasAttr("clip"))
    clipValue = node.floatAttr("clip", 0.0f);
  linearBeforeReset = node.intAttr("linear_before_reset", 0) != 0;
  inputForget = node.intAttr("input_forget", 0) != 0;
  if (failed(readActivations(directions)))
    return failure();

  if (sequenceLens) {
    auto type = cast<RankedTensorType>(sequenceLens.getType());
    if (type.getRank() != 1 || !isa<IntegerType>(type.getElementType()))
      return node.emitError() << "expects sequence_lens to be a 1-D integer "
                                 "tensor";
    // Full-length sequences need no masks.
    if (auto lens = getConstantInts(sequenceLens))
      if (llvm::all_of(*lens, [&](int64_t l) { return l == steps; }))
        sequenceLens = Value();
  }

  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < directions; ++d) {
    bool reverse = dir == "reverse" || d == 1;
    DirectionResult result = runDirection(d, reverse);
    if (!chain.ok())
      return failure();
    ys.push_back(result.y);
    hs.push_back(result.h);
    cs.push_back(result.c);
  }
  auto join = [&](ArrayRef<Value> parts, int64_t axis) {
    return parts.size() == 1 ? parts[0]
                             : chain.create<ConcatOp>(ValueRange(parts), axis);
  };
  Value y = join(ys, 1), yh = join(hs, 0);
  Value yc = kind == CellKind::LSTM ? join(cs, 0) : Value();
  if (layout == 1) {
    y = transpose(y, {2, 0, 1, 3});
    yh = transpose(yh, {1, 0, 2});
    if (yc)
      yc = transpose(yc, {1, 0, 2});
  }
  if (!chain.ok())
    return failure();
  if (node.outputUsed(0) && failed(node.setResult(0, y)))
    return failure();
  if (node.outputUsed(1) && failed(node.setResult(1, yh)))
    return failure();
  if (yc && node.outputUsed(2) && failed(node.setResult(2, yc)))
    return failure();
  return success();
}

template <CellKind kind> LogicalResult importRecurrent(OnnxNode &node) {
  return RecurrentImporter(node, kind).run();
}

} // namespace

void mlir::kiln::registerRecurrentOps(OnnxOpRegistry &registry) {
  // Version 7 dropped output_sequence; 14 added layout (default 0, so one
  // importer reads both).
  registry.add("RNN", 7, kLatestOpset, importRecurrent<CellKind::RNN>);
  registry.add("GRU", 7, kLatestOpset, importRecurrent<CellKind::GRU>);
  registry.add("LSTM", 7, kLatestOpset, importRecurrent<CellKind::LSTM>);
}
