//===- Info.cpp - kiln info -----------------------------------------------===//
//
// What a model holds: inputs, outputs, op counts, parameters, and the ops
// Kiln cannot compile.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "kiln/Frontends/ONNX/Importer.h"

#include <algorithm>
#include <cstdio>

using namespace mlir;
using namespace mlir::kiln::cli;

/// 1.82 G, 53.1 M, 980 ...
static std::string humanCount(int64_t n) {
  char text[32];
  if (n >= 1000000000)
    std::snprintf(text, sizeof text, "%.2f G", n / 1e9);
  else if (n >= 1000000)
    std::snprintf(text, sizeof text, "%.1f M", n / 1e6);
  else if (n >= 1000)
    std::snprintf(text, sizeof text, "%.1f K", n / 1e3);
  else
    std::snprintf(text, sizeof text, "%lld", (long long)n);
  return text;
}

static std::string humanBytes(int64_t bytes) {
  char text[32];
  if (bytes >= (1 << 20))
    std::snprintf(text, sizeof text, "%.1f MiB", bytes / 1048576.0);
  else if (bytes >= 1024)
    std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  else
    std::snprintf(text, sizeof text, "%lld B", (long long)bytes);
  return text;
}

/// The importer's own table, as docs/onnx.md shows it.
static int printSupportedOps() {
  std::vector<mlir::kiln::OnnxOpSupport> rows = mlir::kiln::supportedOnnxOps();
  std::printf("# Supported ONNX ops\n\n"
              "Generated from the importer's table by `kiln info "
              "--supported-ops`;\ndo not edit by hand. Opsets are those of the "
              "default ONNX domain\n(ai.onnx), up to %lld, the newest Debian's "
              "libonnx 1.12 knows. An op\nimports at every opset whose schema "
              "version falls in a listed range.\nConformance against ONNX's "
              "node tests: conformance/report.md.\n\n"
              "| op | opsets |\n| --- | --- |\n",
              (long long)mlir::kiln::kOnnxLatestOpset);
  for (size_t i = 0; i < rows.size();) {
    std::string ranges;
    size_t j = i;
    for (; j < rows.size() && rows[j].opType == rows[i].opType; ++j) {
      if (!ranges.empty())
        ranges += ", ";
      ranges += std::to_string(rows[j].minVersion) + "-" +
                std::to_string(rows[j].maxVersion);
    }
    std::printf("| %s | %s |\n", rows[i].opType.c_str(), ranges.c_str());
    i = j;
  }
  std::printf("\n%zu ops.\n", (size_t)std::count_if(
                                    rows.begin(), rows.end(),
                                    [&](const auto &r) {
                                      return &r == &rows.front() ||
                                             (&r)[-1].opType != r.opType;
                                    }));
  return 0;
}

int mlir::kiln::cli::runInfo(const std::vector<std::string> &args) {
  std::string input;
  bool supportedOps = false;
  ArgParser parser("info", "kiln info MODEL | kiln info --supported-ops",
                   "Describes an ONNX model: inputs, outputs, op counts,\n"
                   "parameter count and the ops Kiln does not support. With\n"
                   "--supported-ops, prints the ONNX ops and opsets Kiln\n"
                   "imports as a Markdown table (docs/onnx.md).");
  parser.positional("MODEL", &input, "the ONNX model (binary or text)",
                    /*required=*/false);
  parser.flag("--supported-ops", &supportedOps,
              "print the table of supported ONNX ops and opsets");
  if (auto code = parser.parse(args))
    return *code;
  if (supportedOps)
    return printSupportedOps();
  if (input.empty())
    return fail("kiln info needs a MODEL (or --supported-ops)");

  if (failed(checkModelFile(input)))
    return 1;
  Session session;
  mlir::kiln::OnnxModelSummary summary;
  if (failed(mlir::kiln::summarizeOnnxFile(input, &session.context(),
                                           summary)))
    return 1;
  std::printf("model:      %s\n", input.c_str());
  std::printf("producer:   %s\n",
              summary.producer.empty() ? "(none)" : summary.producer.c_str());
  std::printf("ir version: %lld, opset %lld\n", (long long)summary.irVersion,
              (long long)summary.opset);
  std::printf("inputs:\n");
  for (const auto &v : summary.inputs)
    std::printf("  %-24s %s\n", v.name.c_str(), v.type.c_str());
  std::printf("outputs:\n");
  for (const auto &v : summary.outputs)
    std::printf("  %-24s %s\n", v.name.c_str(), v.type.c_str());
  int64_t nodes = 0;
  for (const auto &[op, count] : summary.opCounts)
    nodes += count;
  std::printf("ops: %lld nodes\n", (long long)nodes);
  for (const auto &[op, count] : summary.opCounts)
    std::printf("  %-24s %lld\n", op.c_str(), (long long)count);
  std::printf("parameters: %lld (%s)\n", (long long)summary.parameterCount,
              humanBytes(summary.parameterBytes).c_str());
  std::printf("estimated FLOPs: %s per inference (dynamic dimensions as 1",
              humanCount(summary.flops).c_str());
  if (summary.unestimatedNodes)
    std::printf("; %lld nodes without shapes not counted",
                (long long)summary.unestimatedNodes);
  std::printf(")\n");
  if (summary.unsupported.empty()) {
    std::printf("unsupported: none\n");
  } else {
    std::printf("unsupported: %zu\n", summary.unsupported.size());
    for (const std::string &u : summary.unsupported)
      std::printf("  %s\n", u.c_str());
  }
  return 0;
}
