//===- CommandLine.cpp - Argument parsing for the kiln verbs --------------===//
//
// See CommandLine.h.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include <cstdio>

using namespace mlir::kiln::cli;

void ArgParser::flag(const std::string &name, bool *out,
                     const std::string &help) {
  Option o;
  o.name = name;
  o.help = help;
  o.flag = out;
  options.push_back(o);
}

void ArgParser::option(const std::string &name, std::string *out,
                       const std::string &metavar, const std::string &help,
                       const std::string &shortName, bool attached) {
  Option o;
  o.name = name;
  o.shortName = shortName;
  o.metavar = metavar;
  o.help = help;
  o.value = out;
  o.attached = attached;
  options.push_back(o);
}

void ArgParser::list(const std::string &name, std::vector<std::string> *out,
                     const std::string &metavar, const std::string &help) {
  Option o;
  o.name = name;
  o.metavar = metavar;
  o.help = help;
  o.values = out;
  options.push_back(o);
}

void ArgParser::positional(const std::string &metavar, std::string *out,
                           const std::string &help, bool required) {
  positionals.push_back({metavar, help, out, required});
}

ArgParser::Option *ArgParser::find(const std::string &name) {
  for (Option &o : options)
    if (o.name == name || (!o.shortName.empty() && o.shortName == name))
      return &o;
  return nullptr;
}

int ArgParser::usageError(const std::string &message) const {
  std::fprintf(stderr, "kiln %s: error: %s\n", verb.c_str(), message.c_str());
  std::fprintf(stderr, "usage: %s\n(see 'kiln %s --help')\n", synopsis.c_str(),
               verb.c_str());
  return 2;
}

std::optional<int> ArgParser::parse(const std::vector<std::string> &args) {
  size_t nextPositional = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--help" || arg == "-h") {
      printHelp();
      return 0;
    }
    if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      std::string name = arg, value;
      bool hasValue = false;
      if (size_t eq = arg.find('='); eq != std::string::npos && arg[1] == '-') {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        hasValue = true;
      }
      Option *o = find(name);
      // `-O3`: an attached value after a short option.
      if (!o && name.size() > 2 && name[1] != '-') {
        Option *prefix = find(name.substr(0, 2));
        if (prefix && prefix->attached) {
          o = prefix;
          value = name.substr(2);
          hasValue = true;
        }
      }
      if (!o)
        return usageError("unknown option '" + name + "'");
      if (o->flag) {
        if (hasValue)
          return usageError("option '" + o->name + "' takes no value");
        *o->flag = true;
        continue;
      }
      if (!hasValue) {
        if (i + 1 >= args.size())
          return usageError("option '" + o->name + "' needs a value (" +
                            o->metavar + ")");
        value = args[++i];
      }
      if (o->values)
        o->values->push_back(value);
      else
        *o->value = value;
      continue;
    }
    if (nextPositional >= positionals.size())
      return usageError("unexpected argument '" + arg + "'");
    *positionals[nextPositional++].out = arg;
  }
  for (size_t p = nextPositional; p < positionals.size(); ++p)
    if (positionals[p].required)
      return usageError("missing " + positionals[p].metavar);
  return std::nullopt;
}

void ArgParser::printHelp() const {
  std::printf("usage: %s\n\n%s\n", synopsis.c_str(), description.c_str());
  if (!positionals.empty()) {
    std::printf("\narguments:\n");
    for (const Positional &p : positionals)
      std::printf("  %-26s %s\n", p.metavar.c_str(), p.help.c_str());
  }
  std::printf("\noptions:\n");
  for (const Option &o : options) {
    std::string left = o.name;
    if (!o.shortName.empty())
      left = o.shortName + ", " + left;
    if (!o.flag)
      left += " " + o.metavar;
    if (left.size() > 26)
      std::printf("  %s\n  %-26s %s\n", left.c_str(), "", o.help.c_str());
    else
      std::printf("  %-26s %s\n", left.c_str(), o.help.c_str());
  }
  std::printf("  %-26s %s\n", "-h, --help", "show this help and exit");
}
