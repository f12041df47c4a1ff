//===- CommandLine.h - Argument parsing for the kiln verbs ------*- C++ -*-===//
//
// Each verb declares its options with help text; the parser handles
// `--name value`, `--name=value`, short aliases, `-O3`-style attached values,
// repeated options and positionals, and prints `--help`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_COMMANDLINE_H
#define KILN_TOOLS_KILN_COMMANDLINE_H

#include <optional>
#include <string>
#include <vector>

namespace mlir::kiln::cli {

class ArgParser {
public:
  ArgParser(std::string verb, std::string synopsis, std::string description)
      : verb(std::move(verb)), synopsis(std::move(synopsis)),
        description(std::move(description)) {}

  /// A boolean switch: `--name`.
  void flag(const std::string &name, bool *out, const std::string &help);
  /// An option with a value: `--name VALUE` (also `-s VALUE` when `shortName`
  /// is given; `-O3` style when `attached`).
  void option(const std::string &name, std::string *out,
              const std::string &metavar, const std::string &help,
              const std::string &shortName = "", bool attached = false);
  /// An option that may repeat.
  void list(const std::string &name, std::vector<std::string> *out,
            const std::string &metavar, const std::string &help);
  /// The next positional argument.
  void positional(const std::string &metavar, std::string *out,
                  const std::string &help, bool required = true);

  /// Parses `args`. Returns an exit code when the program should stop
  /// (0 after --help, 2 after a usage error, which is printed), nothing to
  /// go on.
  std::optional<int> parse(const std::vector<std::string> &args);

  void printHelp() const;

private:
  struct Option {
    std::string name, shortName, metavar, help;
    bool *flag = nullptr;
    std::string *value = nullptr;
    std::vector<std::string> *values = nullptr;
    bool attached = false;
  };
  struct Positional {
    std::string metavar, help;
    std::string *out;
    bool required;
  };
  Option *find(const std::string &name);
  int usageError(const std::string &message) const;

  std::string verb, synopsis, description;
  std::vector<Option> options;
  std::vector<Positional> positionals;
};

} // namespace mlir::kiln::cli

#endif // KILN_TOOLS_KILN_COMMANDLINE_H
