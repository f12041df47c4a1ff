//===- Runner.cpp - The ONNX backend node-test runner ---------------------===//
//
// kiln-conformance compiles every test model under an ONNX test-data folder
// (model.onnx + test_data_set_*/{input,output}_N.pb), runs each data set and
// compares with the expected outputs. Each test runs in a forked child with a
// time limit, so a crash or hang is one failed test, not a lost run.
//
// It records pass / fail / unsupported / compile-error / crash with a reason,
// writes a Markdown report, and checks a list of tests expected to pass: the
// run fails when one of them does not, so coverage can only grow.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/Compiler.h"
#include "kiln/Frontends/ONNX/Importer.h"
#include "kiln/Frontends/ONNX/TensorIO.h"
#include "kiln/InitAllDialects.h"
#include "kiln/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <poll.h>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace {

namespace cl = llvm::cl;
cl::OptionCategory category("kiln-conformance options");
cl::opt<std::string> dataDir("data", cl::desc("folder of ONNX node tests"),
                             cl::init("/usr/share/libonnx-testdata/data/node"),
                             cl::cat(category));
cl::opt<std::string> filter("filter",
                            cl::desc("only tests whose name matches this "
                                     "regular expression"),
                            cl::init(""), cl::cat(category));
cl::opt<std::string> expectedFile(
    "expected", cl::desc("list of tests that must pass (one per line)"),
    cl::init(""), cl::cat(category));
cl::opt<bool> updateExpected(
    "update-expected",
    cl::desc("rewrite --expected with every test that passes now"),
    cl::init(false), cl::cat(category));
cl::opt<std::string> toleranceFile(
    "tolerances", cl::desc("per-test tolerances: NAME RTOL ATOL # reason"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> notesFile(
    "notes",
    cl::desc("per-test explanations for the report: NAME explanation"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> reportCommand(
    "report-command",
    cl::desc("the command the report names as its origin (default: this "
             "command line)"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> reportFile("report",
                                cl::desc("write a Markdown report here"),
                                cl::init(""), cl::cat(category));
cl::opt<std::string> resultsFile(
    "results", cl::desc("write one line per test: NAME STATUS REASON"),
    cl::init(""), cl::cat(category));
cl::opt<unsigned> jobs("j", cl::desc("tests run in parallel (default 2)"),
                       cl::init(2), cl::cat(category));
cl::opt<unsigned> timeoutSeconds("timeout",
                                 cl::desc("seconds one test may take (120)"),
                                 cl::init(120), cl::cat(category));
cl::opt<bool> verbose("v", cl::desc("print every test's result"),
                      cl::init(false), cl::cat(category));

constexpr double kDefaultRtol = 1e-3, kDefaultAtol = 1e-5;

struct Tolerance {
  double rtol = kDefaultRtol, atol = kDefaultAtol;
};

struct Result {
  std::string name;
  std::string status; ///< pass, fail, unsupported, compile-error, crash
  std::string reason;
  std::set<std::string> ops;
};

std::string oneLine(std::string text) {
  for (char &c : text)
    if (c == '\n' || c == '\t')
      c = ' ';
  if (text.size() > 400)
    text = text.substr(0, 397) + "...";
  return text;
}

double bf16ToDouble(uint16_t bits) {
  uint32_t word = uint32_t(bits) << 16;
  float f;
  std::memcpy(&f, &word, sizeof f);
  return f;
}

double halfToDouble(uint16_t bits) {
  int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double value;
  if (exponent == 0)
    value = std::ldexp(mantissa, -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -value : value;
}

/// ONNX's test data stores bfloat16 tensors as UINT16 (numpy has no
/// bfloat16): the generator writes the bit patterns. Where the model says
/// bf16 and the file holds u16 of the same shape, read the bits as bf16.
kiln_tensor *asDeclaredBF16(kiln_tensor *t, kiln_dtype declared) {
  if (declared != KILN_DTYPE_BF16 || kiln_tensor_dtype(t) != KILN_DTYPE_U16)
    return t;
  kiln_tensor *bf16 = nullptr;
  if (kiln_tensor_create(KILN_DTYPE_BF16, kiln_tensor_shape(t),
                         kiln_tensor_rank(t), &bf16) != KILN_OK)
    return t;
  std::memcpy(kiln_tensor_data(bf16), kiln_tensor_data(t),
              kiln_tensor_size_bytes(t));
  kiln_tensor_destroy(t);
  return bf16;
}

/// Compares one output; empty when it matches.
std::string compare(const std::string &name, const kiln_tensor *got,
                    const kiln_tensor *want, Tolerance tol) {
  if (kiln_tensor_dtype(got) != kiln_tensor_dtype(want))
    return "output '" + name + "' is " + kiln_dtype_name(kiln_tensor_dtype(got)) +
           ", expected " + kiln_dtype_name(kiln_tensor_dtype(want));
  std::vector<int64_t> gs(kiln_tensor_shape(got),
                          kiln_tensor_shape(got) + kiln_tensor_rank(got));
  std::vector<int64_t> ws(kiln_tensor_shape(want),
                          kiln_tensor_shape(want) + kiln_tensor_rank(want));
  if (gs != ws) {
    auto fmt = [](const std::vector<int64_t> &s) {
      std::string t;
      for (int64_t d : s)
        t += (t.empty() ? "" : "x") + std::to_string(d);
      return t.empty() ? std::string("scalar") : t;
    };
    return "output '" + name + "' has shape " + fmt(gs) + ", expected " +
           fmt(ws);
  }
  size_t n = kiln_tensor_num_elements(got);
  const void *g = kiln_tensor_data(got), *w = kiln_tensor_data(want);
  auto mismatch = [&](size_t i, double a, double b) {
    std::ostringstream os;
    os.precision(8);
    os << "output '" << name << "' element " << i << " is " << a
       << ", expected " << b << " (rtol " << tol.rtol << ", atol " << tol.atol
       << ")";
    return os.str();
  };
  auto checkFloat = [&](double a, double b, size_t i) -> std::string {
    if (std::isnan(a) && std::isnan(b))
      return "";
    if (std::isinf(a) || std::isinf(b))
      return a == b ? "" : mismatch(i, a, b);
    if (std::fabs(a - b) <= tol.atol + tol.rtol * std::fabs(b))
      return "";
    return mismatch(i, a, b);
  };
  switch (kiln_tensor_dtype(got)) {
  case KILN_DTYPE_F32:
    for (size_t i = 0; i < n; ++i)
      if (auto m = checkFloat(((const float *)g)[i], ((const float *)w)[i], i);
          !m.empty())
        return m;
    return "";
  case KILN_DTYPE_F64:
    for (size_t i = 0; i < n; ++i)
      if (auto m = checkFloat(((const double *)g)[i], ((const double *)w)[i], i);
          !m.empty())
        return m;
    return "";
  case KILN_DTYPE_F16:
  case KILN_DTYPE_BF16: {
    // 16-bit floats compare as floats, with the tolerance (bits would
    // refuse a value rounded to nearest where the reference truncated).
    bool bf16 = kiln_tensor_dtype(got) == KILN_DTYPE_BF16;
    for (size_t i = 0; i < n; ++i) {
      uint16_t a = ((const uint16_t *)g)[i], b = ((const uint16_t *)w)[i];
      if (auto m = checkFloat(bf16 ? bf16ToDouble(a) : halfToDouble(a),
                              bf16 ? bf16ToDouble(b) : halfToDouble(b), i);
          !m.empty())
        return m;
    }
    return "";
  }
  default: {
    // Integers and bools: compare bits.
    size_t bytes = kiln_tensor_size_bytes(got);
    size_t size = kiln_dtype_size(kiln_tensor_dtype(got));
    for (size_t i = 0; i < bytes; i += size)
      if (std::memcmp((const char *)g + i, (const char *)w + i, size) != 0) {
        int64_t a = 0, b = 0;
        std::memcpy(&a, (const char *)g + i, size);
        std::memcpy(&b, (const char *)w + i, size);
        return mismatch(i / size, (double)a, (double)b);
      }
    return "";
  }
  }
}

/// Runs one test in this process; returns "STATUS\treason".
std::string runTest(const std::string &dir, Tolerance tol) {
  MLIRContext context;
  DialectRegistry registry;
  mlir::kiln::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  std::string errors;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && errors.empty())
      errors = diag.str();
    return success();
  });
  std::string modelPath = dir + "/model.onnx";
  OwningOpRef<ModuleOp> module = mlir::kiln::importOnnxFile(modelPath, &context);
  if (!module) {
    bool unsupported = errors.find("unsupported") != std::string::npos ||
                       errors.find("not supported") != std::string::npos ||
                       errors.find("does not support") != std::string::npos;
    return std::string(unsupported ? "unsupported" : "compile-error") + "\t" +
           errors;
  }
  mlir::kiln::CompileOptions options;
  auto loaded = mlir::kiln::compileAndLoad(*module, options);
  if (!loaded)
    return "compile-error\t" + llvm::toString(loaded.takeError());
  kiln_model *model = *loaded;
  size_t numInputs = kiln_model_num_inputs(model);
  size_t numOutputs = kiln_model_num_outputs(model);

  std::error_code ec;
  std::vector<std::string> sets;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      sets.push_back(it->path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty())
    return "compile-error\tthe test has no test_data_set_* folder";

  for (const std::string &set : sets) {
    std::vector<kiln_tensor *> inputs, outputs(numOutputs, nullptr), expected;
    auto cleanup = [&] {
      for (auto *t : inputs)
        kiln_tensor_destroy(t);
      for (auto *t : outputs)
        kiln_tensor_destroy(t);
      for (auto *t : expected)
        kiln_tensor_destroy(t);
    };
    std::string setName = llvm::sys::path::filename(set).str();
    for (size_t i = 0; i < numInputs; ++i) {
      auto t = mlir::kiln::readTensorProtoFile(set + "/input_" +
                                               std::to_string(i) + ".pb");
      if (!t) {
        cleanup();
        return "compile-error\t" + setName + ": " +
               llvm::toString(t.takeError());
      }
      kiln_tensor_info info;
      kiln_model_input_info(model, i, &info);
      inputs.push_back(asDeclaredBF16(*t, info.dtype));
    }
    for (size_t i = 0; i < numOutputs; ++i) {
      auto t = mlir::kiln::readTensorProtoFile(set + "/output_" +
                                               std::to_string(i) + ".pb");
      if (!t) {
        cleanup();
        return "compile-error\t" + setName + ": " +
               llvm::toString(t.takeError());
      }
      kiln_tensor_info info;
      kiln_model_output_info(model, i, &info);
      expected.push_back(asDeclaredBF16(*t, info.dtype));
    }
    if (kiln_model_run(model, inputs.data(), numInputs, outputs.data(),
                       numOutputs) != KILN_OK) {
      std::string why = kiln_last_error();
      cleanup();
      return "fail\t" + setName + ": run failed: " + why;
    }
    for (size_t i = 0; i < numOutputs; ++i) {
      kiln_tensor_info info;
      kiln_model_output_info(model, i, &info);
      std::string mismatch = compare(info.name, outputs[i], expected[i], tol);
      if (!mismatch.empty()) {
        cleanup();
        return "fail\t" + setName + ": " + mismatch;
      }
    }
    cleanup();
  }
  kiln_model_close(model);
  return "pass\t";
}

/// The op types in a test's model, for the per-op table.
std::set<std::string> opsOf(const std::string &dir) {
  std::set<std::string> ops;
  std::ifstream in(dir + "/model.onnx", std::ios::binary);
  onnx::ModelProto model;
  if (in && model.ParseFromIstream(&in))
    for (const auto &node : model.graph().node())
      ops.insert(node.op_type());
  return ops;
}

struct Running {
  pid_t pid;
  int fd;
  size_t index;
  std::string output;
  std::chrono::steady_clock::time_point start;
};

std::map<std::string, Tolerance> readTolerances() {
  std::map<std::string, Tolerance> tolerances;
  if (toleranceFile.empty())
    return tolerances;
  std::ifstream in(toleranceFile);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string name;
    Tolerance tol;
    if (fields >> name >> tol.rtol >> tol.atol)
      tolerances[name] = tol;
  }
  return tolerances;
}

/// Explanations of tests that do not pass, in words a user understands
/// (conformance/notes.txt): where Kiln's answer differs from the expected
/// one on purpose, or why a variant is out of reach.
std::map<std::string, std::string> readNotes() {
  std::map<std::string, std::string> notes;
  if (notesFile.empty())
    return notes;
  std::ifstream in(notesFile);
  std::string line;
  while (std::getline(in, line)) {
    StringRef text = StringRef(line).trim();
    if (text.empty() || text.starts_with("#"))
      continue;
    auto [name, note] = text.split(' ');
    notes[name.str()] = note.trim().str();
  }
  return notes;
}

std::string commandLine; ///< how this run was started, for the report

void writeReport(const std::vector<Result> &results) {
  auto notes = readNotes();
  std::map<std::string, int> totals;
  std::map<std::string, std::pair<int, int>> perOp;
  for (const Result &r : results) {
    ++totals[r.status];
    for (const std::string &op : r.ops) {
      ++perOp[op].second;
      if (r.status == "pass")
        ++perOp[op].first;
    }
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(reportFile, ec);
  if (ec) {
    llvm::errs() << "kiln-conformance: cannot write " << reportFile << "\n";
    return;
  }
  os << "# ONNX backend node tests\n\n"
     << "Generated by `"
     << (reportCommand.empty() ? commandLine : reportCommand.getValue())
     << "` (kiln-conformance; see conformance/README.md) over the node tests "
        "of Debian's libonnx-testdata (ONNX 1.12, opsets up to 17). Outputs "
        "are compared with rtol 1e-3 and atol 1e-5 unless "
        "conformance/tolerances.txt says otherwise.\n\n";
  if (!reportCommand.empty())
    os << "The runner's command line was:\n\n```\n" << commandLine
       << "\n```\n\n";
  os << "| result | tests |\n| --- | --- |\n";
  for (const char *status :
       {"pass", "fail", "unsupported", "compile-error", "crash"})
    os << "| " << status << " | " << totals[status] << " |\n";
  os << "| total | " << results.size() << " |\n\n";
  os << "## By op\n\nA test counts for every op in its model.\n\n"
     << "| op | passed | present |\n| --- | --- | --- |\n";
  for (const auto &[op, counts] : perOp)
    os << "| " << op << " | " << counts.first << " | " << counts.second
       << " |\n";
  os << "\n## Tests that do not pass\n\n| test | result | reason |\n"
     << "| --- | --- | --- |\n";
  for (const Result &r : results) {
    if (r.status == "pass")
      continue;
    std::string reason = r.reason;
    if (auto it = notes.find(r.name); it != notes.end())
      reason = it->second + " (Kiln's message: " + reason + ")";
    for (char &c : reason)
      if (c == '|')
        c = '/';
    os << "| " << r.name << " | " << r.status << " | " << reason << " |\n";
  }
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Runs the ONNX backend node tests through Kiln and compares outputs\n");

  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.find(' ') != std::string::npos)
      arg = "'" + arg + "'";
    commandLine += (i ? " " : "") + arg;
  }

  std::vector<std::string> names;
  std::error_code ec;
  llvm::Regex pattern(filter);
  for (llvm::sys::fs::directory_iterator it(dataDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    std::string name = llvm::sys::path::filename(it->path()).str();
    if (llvm::sys::fs::exists(it->path() + "/model.onnx") &&
        (filter.empty() || pattern.match(name)))
      names.push_back(name);
  }
  if (ec || names.empty()) {
    llvm::errs() << "kiln-conformance: no tests found in " << dataDir << "\n";
    return 2;
  }
  std::sort(names.begin(), names.end());
  auto tolerances = readTolerances();

  std::vector<Result> results(names.size());
  std::vector<Running> running;
  size_t next = 0, done = 0;
  auto started = std::chrono::steady_clock::now();
  auto finish = [&](Running &r, const std::string &status,
                    const std::string &reason) {
    Result &result = results[r.index];
    result.name = names[r.index];
    result.status = status;
    result.reason = oneLine(reason);
    result.ops = opsOf(dataDir + "/" + result.name);
    ++done;
    if (verbose || status == "crash")
      llvm::errs() << "[" << done << "/" << names.size() << "] "
                   << result.name << ": " << status
                   << (reason.empty() ? "" : " (" + result.reason + ")") << "\n";
  };
  while (done < names.size()) {
    while (running.size() < std::max(1u, (unsigned)jobs) &&
           next < names.size()) {
      int fds[2];
      if (pipe(fds) != 0) {
        perror("pipe");
        return 2;
      }
      std::string dir = dataDir + "/" + names[next];
      Tolerance tol;
      if (auto it = tolerances.find(names[next]); it != tolerances.end())
        tol = it->second;
      pid_t pid = fork();
      if (pid == 0) {
        close(fds[0]);
        std::string line = runTest(dir, tol);
        (void)!write(fds[1], line.data(), line.size());
        close(fds[1]);
        _exit(0);
      }
      close(fds[1]);
      running.push_back({pid, fds[0], next, "", std::chrono::steady_clock::now()});
      ++next;
    }
    std::vector<pollfd> polls;
    for (Running &r : running)
      polls.push_back({r.fd, POLLIN, 0});
    poll(polls.data(), polls.size(), 200);
    for (size_t i = 0; i < running.size();) {
      Running &r = running[i];
      char buffer[4096];
      bool closed = false;
      if (polls[i].revents & (POLLIN | POLLHUP)) {
        ssize_t n = read(r.fd, buffer, sizeof buffer);
        if (n > 0)
          r.output.append(buffer, n);
        else
          closed = true;
      }
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - r.start)
                           .count();
      if (!closed && seconds > timeoutSeconds) {
        kill(r.pid, SIGKILL);
        waitpid(r.pid, nullptr, 0);
        close(r.fd);
        finish(r, "crash",
               "took longer than " + std::to_string(timeoutSeconds) + " s");
        running.erase(running.begin() + i);
        polls.erase(polls.begin() + i);
        continue;
      }
      if (!closed) {
        ++i;
        continue;
      }
      int status = 0;
      waitpid(r.pid, &status, 0);
      close(r.fd);
      if (WIFSIGNALED(status)) {
        finish(r, "crash",
               std::string("the test crashed (") + strsignal(WTERMSIG(status)) +
                   ")");
      } else {
        auto [head, reason] = StringRef(r.output).split('\t');
        if (head.empty())
          finish(r, "crash", "the test produced no result");
        else
          finish(r, head.str(), reason.str());
      }
      running.erase(running.begin() + i);
      polls.erase(polls.begin() + i);
    }
  }

  std::map<std::string, int> totals;
  for (const Result &r : results)
    ++totals[r.status];
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  llvm::outs() << "kiln-conformance: " << totals["pass"] << " passed, "
               << totals["fail"] << " failed, " << totals["unsupported"]
               << " unsupported, " << totals["compile-error"]
               << " compile errors, " << totals["crash"] << " crashed, of "
               << results.size() << " tests in " << llvm::format("%.0f", seconds)
               << " s\n";

  if (!resultsFile.empty()) {
    std::ofstream out(resultsFile);
    for (const Result &r : results)
      out << r.name << "\t" << r.status << "\t" << r.reason << "\n";
  }
  if (!reportFile.empty())
    writeReport(results);

  int exitCode = 0;
  if (!expectedFile.empty()) {
    std::ifstream in(expectedFile);
    if (!in && !updateExpected) {
      llvm::errs() << "kiln-conformance: cannot read " << expectedFile << "\n";
      return 2;
    }
    {
      std::map<std::string, const Result *> byName;
      for (const Result &r : results)
        byName[r.name] = &r;
      std::string line;
      int listed = 0, passing = 0, regressions = 0;
      std::set<std::string> keep; // the list, grown by --update-expected
      while (in && std::getline(in, line)) {
        line = StringRef(line).trim().str();
        if (line.empty() || line[0] == '#')
          continue;
        keep.insert(line);
        auto it = byName.find(line);
        // With --filter, tests outside it were not run: nothing to say.
        if (it == byName.end() && !filter.empty())
          continue;
        ++listed;
        if (it == byName.end()) {
          llvm::errs() << "kiln-conformance: REGRESSION " << line
                       << ": the test is missing\n";
          ++regressions;
        } else if (it->second->status != "pass") {
          llvm::errs() << "kiln-conformance: REGRESSION " << line << ": "
                       << it->second->status << " (" << it->second->reason
                       << ")\n";
          ++regressions;
        } else {
          ++passing;
        }
      }
      llvm::outs() << "kiln-conformance: " << passing << " of " << listed
                   << " expected passes pass\n";
      if (regressions)
        exitCode = 1;
      if (updateExpected) {
        // The list only grows: a test that stops passing stays on it (and
        // the run fails above) rather than being dropped silently.
        size_t before = keep.size();
        for (const Result &r : results)
          if (r.status == "pass")
            keep.insert(r.name);
        in.close();
        std::ofstream out(expectedFile);
        out << "# Node tests that pass; kiln-conformance fails if one stops "
               "passing.\n# Grow it with: conformance/update.sh --accept\n";
        for (const std::string &name : keep)
          out << name << "\n";
        llvm::outs() << "kiln-conformance: " << keep.size() - before
                     << " tests added to " << expectedFile << "\n";
      }
    }
  }
  return exitCode;
}
