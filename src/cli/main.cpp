// The `neuroscope` command: dispatches to the subcommands and turns every failure into one
// line on stderr with a meaningful exit code.
#include <cstdio>
#include <iostream>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"
#include "neuroscope/error.h"
#include "util/closest.h"

#ifndef NEUROSCOPE_VERSION
#define NEUROSCOPE_VERSION "0.1.0"
#endif

// Every subcommand, one line each, in the order `neuroscope --help` lists them. Each is defined
// as kXxxCommand in src/cli/cmd_xxx.cpp.
#define NS_CLI_COMMANDS(X) \
  X(Demo)                  \
  X(Layers)                \
  X(Kernels)               \
  X(Feature)               \
  X(Grid)                  \
  X(Dream)                 \
  X(Score)                 \
  X(Eval)                  \
  X(Fetch)

namespace neuroscope::cli {

#define NS_DECLARE(name) extern const Command k##name##Command;
NS_CLI_COMMANDS(NS_DECLARE)
#undef NS_DECLARE

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

std::span<const Command* const> all_commands() {
#define NS_ENTRY(name) &k##name##Command,
  static const Command* const commands[] = {NS_CLI_COMMANDS(NS_ENTRY)};
#undef NS_ENTRY
  return commands;
}

const Command* find_command(std::string_view name) {
  for (const Command* c : all_commands())
    if (c->spec.name == name) return c;
  return nullptr;
}

const Command& command_or_throw(const std::string& name) {
  if (const Command* c = find_command(name)) return *c;
  std::vector<std::string> names;
  for (const Command* c : all_commands()) names.push_back(c->spec.name);
  throw usage_error("unknown command '", name, "'; did you mean '",
                    util::closest_names(name, names, 1).front(), "'? (see 'neuroscope --help')");
}

void print_overview() {
  std::cout << "usage: neuroscope COMMAND [arguments] [flags]\n\n"
               "Feature visualization for ONNX image classifiers.\n\ncommands:\n";
  size_t width = 0;
  for (const Command* c : all_commands()) width = std::max(width, c->spec.name.size());
  for (const Command* c : all_commands())
    std::cout << "  " << c->spec.name << std::string(width - c->spec.name.size() + 3, ' ')
              << c->spec.summary << "\n";
  std::cout << "\nRun 'neuroscope help COMMAND' or 'neuroscope COMMAND --help' for details.\n"
               "Exit codes: 0 success, 1 error (bad model, file or value), 2 bad command line.\n";
}

int dispatch(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" ||
      (argv[0] == "help" && argv.size() == 1)) {
    print_overview();
    return 0;
  }
  if (argv[0] == "--version") {
    std::cout << "neuroscope " << NEUROSCOPE_VERSION << "\n";
    return 0;
  }
  if (argv[0] == "help") {
    if (argv.size() > 2) throw usage_error("'help' takes one command name");
    std::cout << usage_text(command_or_throw(argv[1]).spec);
    return 0;
  }
  if (argv[0].starts_with("-"))
    throw usage_error("unknown flag '", argv[0],
                      "'; flags go after the command (see 'neuroscope --help')");
  const Command& command = command_or_throw(argv[0]);
  const Args args = Args::parse(command.spec, std::span(argv).subspan(1));
  if (args.help()) {
    std::cout << usage_text(command.spec);
    return 0;
  }
  return command.run(args);
}

// Messages go out as exactly one line, whatever a library or a damaged file (names are read
// from it) put in them: line breaks become spaces, other control bytes \xNN.
void report(const std::string& message) {
  std::string line;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t') {
      line += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      line += escaped;
    } else {
      line += c;
    }
  }
  std::cout.flush();
  std::cerr << "neuroscope: error: " << line << std::endl;
}

}  // namespace
}  // namespace neuroscope::cli

int main(int argc, char** argv) {
  using namespace neuroscope::cli;
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    report(e.what());
    return kExitUsage;
  } catch (const neuroscope::Error& e) {
    report(e.what());
  } catch (const neuroscope::InternalError& e) {
    const std::string what = e.what();  // NS_CHECK's start with "internal error at FILE:LINE"
    report((what.starts_with("internal error") ? what : "internal error: " + what) +
           " (please report)");
  } catch (const std::bad_alloc&) {
    report("out of memory");
  } catch (const std::exception& e) {
    report(e.what());
  } catch (...) {
    report("unexpected failure (please report)");
  }
  return kExitError;
}
