#include "cli/args.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "util/closest.h"

namespace neuroscope::cli {
namespace {

constexpr size_t kHelpColumn = 26;

bool looks_like_flag(std::string_view arg) {
  return arg.size() > 2 && arg.starts_with("--");
}

// "-3", "-0.5", ".5": negative numbers are values, not flags.
bool looks_like_number(std::string_view arg) {
  double ignored = 0;
  auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), ignored);
  return ec == std::errc() && end == arg.data() + arg.size();
}

void append_row(std::string& text, const std::string& left, const std::string& help) {
  text += "  " + left;
  if (left.size() + 2 < kHelpColumn) {
    text.append(kHelpColumn - left.size() - 2, ' ');
  } else {
    text += "\n";
    text.append(kHelpColumn, ' ');
  }
  text += help + "\n";
}

std::string flag_hint(const CommandSpec& spec, std::string_view name) {
  std::vector<std::string> names;
  for (const FlagSpec& f : spec.flags) names.push_back(f.name);
  names.push_back("help");
  const auto best = util::closest_names(name, names, 1);
  return best.empty() ? "" : "; did you mean '--" + best.front() + "'?";
}

}  // namespace

std::string usage_text(const CommandSpec& spec) {
  std::string text = "usage: neuroscope " + spec.name;
  for (const PositionalSpec& p : spec.positionals)
    text += p.optional ? " [" + p.name + "]" : " " + p.name;
  if (!spec.flags.empty()) text += " [flags]";
  text += "\n\n" + spec.summary + "\n";
  if (!spec.positionals.empty()) {
    text += "\narguments:\n";
    for (const PositionalSpec& p : spec.positionals) append_row(text, p.name, p.help);
  }
  text += "\nflags:\n";
  for (const FlagSpec& f : spec.flags) {
    std::string left = (f.short_name ? std::string("-") + f.short_name + ", " : "") + "--" +
                       f.name + (f.value.empty() ? "" : " " + f.value);
    append_row(text, left, f.help + (f.repeated ? " (repeatable)" : ""));
  }
  append_row(text, "-h, --help", "show this help");
  if (!spec.details.empty())
    text += "\n" + spec.details + (spec.details.ends_with('\n') ? "" : "\n");
  return text;
}

Args Args::parse(const CommandSpec& spec, std::span<const std::string> argv) {
  Args args;
  args.spec_ = &spec;
  bool flags_ended = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (flags_ended || arg == "-" || !arg.starts_with("-") || looks_like_number(arg))
      args.positionals_.push_back(arg);
    else if (arg == "--")
      flags_ended = true;
    else if (arg == "--help" || arg == "-h")
      args.help_ = true;
    else
      args.take_flag(argv, i);
  }
  if (!args.help_) args.check_positional_count();
  return args;
}

void Args::take_flag(std::span<const std::string> argv, size_t& i) {
  std::string arg = argv[i];
  if (arg.size() == 2 && arg[0] == '-')  // a one-letter alias: -o FILE means --output FILE
    for (const FlagSpec& f : spec_->flags)
      if (f.short_name == arg[1]) arg = "--" + f.name;
  if (!looks_like_flag(arg))  // "-x", "-json": single-dash flags do not exist
    throw usage_error("unknown flag '", arg, "'", flag_hint(*spec_, arg.substr(1)));
  const size_t equals = arg.find('=');
  const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
  auto flag = std::find_if(spec_->flags.begin(), spec_->flags.end(),
                           [&](const FlagSpec& f) { return f.name == name; });
  if (flag == spec_->flags.end())
    throw usage_error("unknown flag '--", name, "' for '", spec_->name, "'",
                      flag_hint(*spec_, name));
  std::string value;
  if (flag->value.empty()) {
    if (equals != std::string::npos) throw usage_error("--", name, " takes no value");
  } else if (equals != std::string::npos) {
    value = arg.substr(equals + 1);
  } else if (i + 1 < argv.size() && !looks_like_flag(argv[i + 1])) {
    value = argv[++i];
  } else {
    throw usage_error("--", name, " needs a value (", flag->value, ")");
  }
  auto& given = flags_[name];
  if (!given.empty() && !flag->repeated) throw usage_error("--", name, " is given more than once");
  given.push_back(std::move(value));
}

void Args::check_positional_count() const {
  const auto& expected = spec_->positionals;
  const auto required = static_cast<size_t>(std::count_if(
      expected.begin(), expected.end(), [](const PositionalSpec& p) { return !p.optional; }));
  if (positionals_.size() < required)
    throw usage_error("'", spec_->name, "' needs ", expected[positionals_.size()].name,
                      " (see 'neuroscope ", spec_->name, " --help')");
  if (positionals_.size() > expected.size())
    throw usage_error("unexpected argument '", positionals_[expected.size()], "' for '",
                      spec_->name, "'");
}

const FlagSpec& Args::spec_of(std::string_view flag) const {
  for (const FlagSpec& f : spec_->flags)
    if (f.name == flag) return f;
  throw InternalError(detail::concat("internal error: flag --", flag, " is not in the spec of '",
                                     spec_->name, "'"));
}

bool Args::has(std::string_view flag) const {
  spec_of(flag);
  return flags_.count(flag) > 0;
}

std::optional<std::string> Args::value(std::string_view flag) const {
  NS_CHECK(!spec_of(flag).value.empty(), "--", flag, " is a switch");
  auto it = flags_.find(flag);
  if (it == flags_.end()) return std::nullopt;
  return it->second.front();
}

const std::vector<std::string>& Args::values(std::string_view flag) const {
  static const std::vector<std::string> kNone;
  NS_CHECK(!spec_of(flag).value.empty(), "--", flag, " is a switch");
  auto it = flags_.find(flag);
  return it == flags_.end() ? kNone : it->second;
}

std::optional<int64_t> Args::integer(std::string_view flag) const {
  auto text = value(flag);
  if (!text) return std::nullopt;
  return parse_integer("--" + std::string(flag), *text);
}

std::optional<double> Args::number(std::string_view flag) const {
  auto text = value(flag);
  if (!text) return std::nullopt;
  return parse_number("--" + std::string(flag), *text);
}

std::optional<int64_t> Args::integer_at_least(std::string_view flag, int64_t minimum) const {
  const auto v = integer(flag);
  if (v && *v < minimum)
    throw minimum == 0 ? usage_error("--", flag, ": must not be negative")
                       : usage_error("--", flag, ": must be at least ", minimum);
  return v;
}

std::optional<double> Args::positive_number(std::string_view flag) const {
  const auto v = number(flag);
  if (v && !(*v > 0)) throw usage_error("--", flag, ": must be positive");
  return v;
}

std::optional<Shape> Args::shape(std::string_view flag) const {
  auto text = value(flag);
  if (!text) return std::nullopt;
  return parse_shape("--" + std::string(flag), *text);
}

int64_t parse_integer(std::string_view what, std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range)
    throw usage_error(what, ": '", text, "' is out of range");
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw usage_error(what, ": '", text, "' is not an integer");
  return value;
}

double parse_number(std::string_view what, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value))
    throw usage_error(what, ": '", text, "' is not a number");
  return value;
}

Shape parse_shape(std::string_view what, std::string_view text) {
  Shape shape;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view part =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    int64_t dim = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (ec != std::errc() || end != part.data() + part.size() || part.empty() || dim <= 0)
      throw usage_error(what, ": '", text,
                        "' is not a shape; expected positive integers separated by commas, like "
                        "1,3,224,224");
    shape.push_back(dim);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return shape;
}

}  // namespace neuroscope::cli
