// cli/command.h: what a subcommand is. Each lives in its own src/cli/cmd_<name>.cpp, defining
//
//   extern const Command kLayersCommand{.spec = {...}, .run = run_layers};
//
// and is listed once in NS_CLI_COMMANDS in src/cli/main.cpp.
#pragma once

#include "cli/args.h"

namespace neuroscope::cli {

struct Command {
  CommandSpec spec;              // name, one-line summary, arguments and flags
  int (*run)(const Args& args);  // the exit code; throws Error / UsageError for problems
};

}  // namespace neuroscope::cli
