// cli/args.h: the command-line parser every subcommand uses.
//
//   const CommandSpec spec{
//       .name = "layers", .summary = "list a model's tensors",
//       .positionals = {{"MODEL", "the ONNX file"}},
//       .flags = {{.name = "json", .help = "print one JSON document"},
//                 {.name = "input-shape", .value = "N,C,H,W", .help = "..."}}};
//   Args args = Args::parse(spec, {"net.onnx", "--json"});
//   args.positional(0);           // "net.onnx"
//   args.has("json");             // true
//   args.shape("input-shape");    // std::nullopt when absent
//
// Accepted forms: `--flag value`, `--flag=value`, boolean `--switch`, flags given repeatedly
// (when the spec allows it), optional trailing positionals and `--` to end the flags. Every
// problem throws UsageError, whose message names the flag and the offending text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/error.h"
#include "neuroscope/tensor.h"

namespace neuroscope::cli {

// The command line itself is malformed (exit code 2), as opposed to bad files or models.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message) {}
};

template <typename... Parts>
UsageError usage_error(const Parts&... parts) {
  return UsageError(detail::concat(parts...));
}

struct FlagSpec {
  std::string name;       // without the leading "--"
  std::string value;      // the value's placeholder ("FILE"); empty for a boolean switch
  std::string help;       // one line
  bool repeated = false;  // may be given more than once
  char short_name = 0;    // a one-letter alias, e.g. 'o' for -o
};

struct PositionalSpec {
  std::string name;  // "MODEL"
  std::string help;
  bool optional = false;  // optional ones come after all required ones
};

struct CommandSpec {
  std::string name;
  std::string summary;  // one line, shown in `neuroscope --help`
  std::vector<PositionalSpec> positionals;
  std::vector<FlagSpec> flags;  // --help is implicit
  std::string details;          // free text after the flag list (may be empty)
};

// The full help text of a command: usage line, arguments, flags, details.
std::string usage_text(const CommandSpec& spec);

class Args {
 public:
  // Throws UsageError for unknown flags (suggesting the closest), missing values, repeated
  // single flags and a wrong number of positionals. `--help` / `-h` set help() and skip the
  // positional count check.
  static Args parse(const CommandSpec& spec, std::span<const std::string> argv);

  bool help() const { return help_; }
  size_t positional_count() const { return positionals_.size(); }
  const std::string& positional(size_t index) const { return positionals_.at(index); }

  // Whether the flag was given (switches and valued flags alike).
  bool has(std::string_view flag) const;
  // The flag's value; nullopt when absent.
  std::optional<std::string> value(std::string_view flag) const;
  // Every value of a repeated flag, in command-line order.
  const std::vector<std::string>& values(std::string_view flag) const;

  // Typed getters: nullopt when absent, UsageError ("--channel: 'abc' is not an integer") when
  // the text does not parse.
  std::optional<int64_t> integer(std::string_view flag) const;
  std::optional<double> number(std::string_view flag) const;
  // The same, and a UsageError when below `minimum` ("--steps: must not be negative", "--batch:
  // must be at least 1") or not positive ("--step-size: must be positive").
  std::optional<int64_t> integer_at_least(std::string_view flag, int64_t minimum) const;
  std::optional<double> positive_number(std::string_view flag) const;
  // "1,3,224,224": positive integers separated by commas.
  std::optional<Shape> shape(std::string_view flag) const;

 private:
  // Records the flag argv[i] (and its value, advancing i when it is the next argument).
  void take_flag(std::span<const std::string> argv, size_t& i);
  void check_positional_count() const;
  const FlagSpec& spec_of(std::string_view flag) const;

  const CommandSpec* spec_ = nullptr;
  bool help_ = false;
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
};

// Text-to-value conversions shared by the getters and by subcommands parsing parts of values
// (e.g. "NAME=1,3,64,64"). `what` prefixes the message: "--channel: 'abc' is not an integer".
int64_t parse_integer(std::string_view what, std::string_view text);
double parse_number(std::string_view what, std::string_view text);
Shape parse_shape(std::string_view what, std::string_view text);

}  // namespace neuroscope::cli
