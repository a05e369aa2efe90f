// The objective syntax of the command line (docs/objectives.md):
//
//   objective := ['+'|'-'] term (('+'|'-') term)*
//   term      := [NUMBER '*'] atom ['@' IMAGE]
//   atom      := TENSOR ':' CHANNEL | FUNCTION '(' ARG (',' ARG)* ')' | 'tv' | 'l1'
//
// Tensor names may contain '-', '/', '.', ':' and more, so a bare TENSOR:CHANNEL ends only at a
// '+' or '-' right after its ":CHANNEL" digits, and function arguments may be quoted.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "neuroscope/error.h"
#include "neuroscope/model.h"
#include "neuroscope/objective.h"
#include "neuroscope/preprocess.h"
#include "vis/objectives/class_score.h"
#include "vis/objectives/direction.h"
#include "vis/spec_number.h"

namespace neuroscope {
namespace {

struct Function {
  std::string_view name;
  size_t min_args, max_args;
  std::string_view usage;
};

constexpr Function kFunctions[] = {
    {"channel", 2, 2, "channel(TENSOR,CHANNEL)"},
    {"channel_mean", 2, 2, "channel_mean(TENSOR,CHANNEL)"},
    {"neuron", 2, 4, "neuron(TENSOR,CHANNEL[,Y,X])"},
    {"layer", 1, 1, "layer(TENSOR)"},
    {"class", 1, 1, "class(LABEL_OR_INDEX)"},
    {"prob", 1, 1, "prob(LABEL_OR_INDEX)"},
    {"direction", 2, 2, "direction(TENSOR,FILE.npy)"},
    {"diversity", 1, 1, "diversity(TENSOR)"},
    {"tv", 0, 0, "tv"},
    {"l1", 0, 1, "l1 or l1(CENTER)"},
};

const Function* find_function(std::string_view name) {
  for (const Function& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

struct Arg {
  std::string text;
  bool quoted = false;
  size_t at = 0;  // position in the objective text
};

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

class ObjectiveParser {
 public:
  // Without `context`, checks the syntax only and builds nothing.
  ObjectiveParser(std::string_view text, const ObjectiveContext* context)
      : text_(text), context_(context) {}

  Objective parse() {
    if (trim(text_).empty()) throw error("objective is empty; expected e.g. TENSOR:CHANNEL");
    Objective result;
    double sign = 1.0;
    skip_space();
    if (peek('-') || peek('+')) sign = text_[pos_++] == '-' ? -1.0 : 1.0;
    while (true) {
      result = result + term() * sign;
      skip_space();
      if (pos_ >= text_.size()) break;
      if (!peek('+') && !peek('-')) fail("expected '+' or '-'");
      sign = text_[pos_++] == '-' ? -1.0 : 1.0;
    }
    return result;
  }

 private:
  // [NUMBER '*'] atom ['@' IMAGE]
  Objective term() {
    skip_space();
    const double weight = optional_weight();
    skip_space();
    const size_t start = pos_;
    size_t name_end = pos_;
    while (name_end < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[name_end])) || text_[name_end] == '_'))
      ++name_end;
    const Function* function = find_function(text_.substr(pos_, name_end - pos_));
    if (function && (next_is(name_end, '(') || bare_call(*function, name_end))) {
      pos_ = name_end;
      const std::vector<Arg> args = arguments(*function);
      const std::optional<int64_t> batch = image_suffix();
      return build(*function, args, batch, start) * weight;
    }
    return channel_term(start) * weight;
  }

  double optional_weight() {
    if (pos_ >= text_.size() || !(is_digit(text_[pos_]) || text_[pos_] == '.')) return 1.0;
    double value = 0;
    const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
    if (ec != std::errc()) return 1.0;
    size_t after = static_cast<size_t>(end - text_.data());
    while (after < text_.size() && is_space(text_[after])) ++after;
    if (after >= text_.size() || text_[after] != '*') return 1.0;  // a tensor name like "3a:1"
    pos_ = after + 1;
    return value;
  }

  // TENSOR ':' CHANNEL ['@' IMAGE], ending at a separator or the end of the text.
  Objective channel_term(size_t start) {
    size_t end = pos_;
    while (end < text_.size() && !is_separator(end)) ++end;
    std::string_view item = trim(text_.substr(pos_, end - pos_));
    std::optional<int64_t> batch;
    const size_t at = item.rfind('@');
    if (at != std::string_view::npos && at > 0 && item.rfind(':') < at &&
        item.find_first_not_of("0123456789", at + 1) == std::string_view::npos) {
      batch = integer(item.substr(at + 1), start, "image index");
      item = item.substr(0, at);
    }
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      fail_at(start, "expected TENSOR:CHANNEL or a function such as layer(TENSOR)");
    const std::string tensor = resolve(item.substr(0, colon));
    const int64_t channel = integer(item.substr(colon + 1), start + colon + 1, "channel");
    pos_ = end;
    if (!context_) return {};
    return Objective::channel(tensor, channel, batch);
  }

  // '+'/'-' end a TENSOR:CHANNEL term only right after its ":CHANNEL" or ":CHANNEL@IMAGE"
  // (tensor names may contain '-').
  bool is_separator(size_t i) const {
    if (text_[i] != '+' && text_[i] != '-') return false;
    std::string_view before = trim(text_.substr(0, i));
    auto strip_digits = [&]() {
      const size_t kept = before.find_last_not_of("0123456789");
      const bool any = kept == std::string_view::npos ? !before.empty() : kept + 1 < before.size();
      before = before.substr(0, kept == std::string_view::npos ? 0 : kept + 1);
      return any;
    };
    if (!strip_digits()) return false;
    if (!before.empty() && before.back() == '@') {
      before.remove_suffix(1);
      if (!strip_digits()) return false;
    }
    return !before.empty() && before.back() == ':';
  }

  // '(' ARG (',' ARG)* ')' (or nothing for functions without arguments).
  std::vector<Arg> arguments(const Function& f) {
    std::vector<Arg> args;
    skip_space();
    if (!peek('(')) return args;
    const size_t open = pos_++;
    skip_space();
    if (peek(')')) {
      ++pos_;
    } else {
      while (true) {
        // The last argument a function takes runs to the closing ')': labels hold commas.
        args.push_back(argument(args.size() + 1 >= std::max<size_t>(f.max_args, 1)));
        skip_space();
        if (peek(')')) {
          ++pos_;
          break;
        }
        if (!peek(',')) fail_at(open, detail::concat("missing ')' for ", f.name, "(...)"));
        ++pos_;
      }
    }
    if (args.size() < f.min_args || args.size() > f.max_args ||
        (f.name == "neuron" && args.size() == 3))
      fail_at(open, detail::concat(f.name, " takes ", f.usage, ", not ", args.size(), " argument",
                                   args.size() == 1 ? "" : "s"));
    return args;
  }

  Arg argument(bool last) {
    skip_space();
    Arg arg{.at = pos_};
    if (peek('\'') || peek('"')) {
      const char quote = text_[pos_];
      const size_t close = text_.find(quote, pos_ + 1);
      if (close == std::string_view::npos) fail("unterminated quote");
      arg.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      arg.quoted = true;
      pos_ = close + 1;
      return arg;
    }
    int depth = 0;
    size_t end = pos_;
    for (; end < text_.size(); ++end) {
      const char c = text_[end];
      if (c == '(') ++depth;
      if (c == ')' && depth-- == 0) break;
      if (c == ',' && depth == 0 && !last) break;
    }
    if (end >= text_.size()) fail_at(arg.at, "missing ')'");
    arg.text = std::string(trim(text_.substr(pos_, end - pos_)));
    if (arg.text.empty()) fail_at(arg.at, "empty argument");
    pos_ = end;
    return arg;
  }

  std::optional<int64_t> image_suffix() {
    skip_space();
    if (!peek('@')) return std::nullopt;
    const size_t at = ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    return integer(text_.substr(at, pos_ - at), at, "image index");
  }

  Objective build(const Function& f, const std::vector<Arg>& args, std::optional<int64_t> batch,
                  size_t start) {
    if (f.name == "l1" && !args.empty()) number(args[0].text, args[0].at);  // syntax
    for (size_t i = 1; i < args.size() && f.name != "direction" && f.name != "l1"; ++i)
      integer(args[i].text, args[i].at, i == 1 ? "channel" : "position");
    if (!context_) return {};
    if (f.name == "tv") return Objective::total_variation(batch);
    if (f.name == "l1")
      return Objective::l1(args.empty() ? 0.0 : number(args[0].text, args[0].at), batch);
    if (f.name == "class" || f.name == "prob")
      return class_term(f.name == "prob", args[0], batch, start);
    if (f.name == "diversity") {
      if (batch) fail_at(start, "diversity compares all images; it takes no @IMAGE");
      return Objective::diversity(resolve(args[0].text));
    }
    const std::string tensor = resolve(args[0].text);
    if (f.name == "layer") return Objective::layer(tensor, batch);
    if (f.name == "direction")
      return Objective::direction(tensor, vis::read_direction(args[1].text), args[1].text, batch);
    const int64_t channel = integer(args[1].text, args[1].at, "channel");
    if (f.name == "channel") return Objective::channel(tensor, channel, batch);
    if (f.name == "channel_mean") return Objective::channel_mean(tensor, channel, batch);
    std::optional<std::pair<int64_t, int64_t>> position;
    if (args.size() == 4)
      position = {integer(args[2].text, args[2].at, "y"), integer(args[3].text, args[3].at, "x")};
    return Objective::neuron(tensor, channel, position, batch);
  }

  Objective class_term(bool probability, const Arg& arg, std::optional<int64_t> batch,
                       size_t start) {
    const char* name = probability ? "prob" : "class";
    if (context_->classifier.logits.empty())
      fail_at(start,
              detail::concat(name, "(...) needs a model's classifier output (no model given)"));
    int64_t index = 0;
    try {
      index = vis::find_class(arg.text, !arg.quoted, context_->labels);
    } catch (const Error& e) {
      fail_at(arg.at, e.what());
    }
    const bool is_index = !arg.quoted && std::all_of(arg.text.begin(), arg.text.end(), is_digit);
    return Objective::class_score(context_->classifier,
                                  probability ? ClassScore::kProbability : ClassScore::kLogit,
                                  index, is_index ? std::string() : arg.text, batch);
  }

  std::string resolve(std::string_view name) const {
    if (!context_ || !context_->resolve_tensor) return std::string(name);
    return context_->resolve_tensor(name);
  }

  int64_t integer(std::string_view s, size_t at, const char* what) const {
    s = trim(s);
    const std::optional<int64_t> value = vis::whole_number<int64_t>(s);
    if (!value || *value < 0)
      fail_at(at, detail::concat(what, " must be a non-negative integer, not '", s, "'"));
    return *value;
  }

  double number(std::string_view s, size_t at) const {
    s = trim(s);
    const std::optional<double> value = vis::whole_number<double>(s);
    if (!value) fail_at(at, detail::concat("'", s, "' is not a number"));
    return *value;
  }

  // Whether the function name ending at `name_end` stands alone ("tv", "tv@1", "tv - x:1"),
  // rather than starting a tensor name ("tv-net/conv:3" reads as TENSOR:CHANNEL).
  bool bare_call(const Function& f, size_t name_end) const {
    if (f.min_args != 0 || !ends_term(name_end)) return false;
    if (name_end >= text_.size() || (text_[name_end] != '-' && text_[name_end] != '+')) return true;
    size_t end = name_end;
    while (end < text_.size() && !is_separator(end)) ++end;
    const std::string_view item = trim(text_.substr(pos_, end - pos_));
    const size_t colon = item.rfind(':');
    return colon == std::string_view::npos || colon + 1 == item.size() ||
           item.find_first_not_of("0123456789@", colon + 1) != std::string_view::npos;
  }

  bool next_is(size_t i, char c) const {
    while (i < text_.size() && is_space(text_[i])) ++i;
    return i < text_.size() && text_[i] == c;
  }
  bool ends_term(size_t i) const {
    while (i < text_.size() && is_space(text_[i])) ++i;
    return i >= text_.size() || text_[i] == '+' || text_[i] == '-' || text_[i] == '@';
  }
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    throw error("objective '", text_, "': ", what, " at character ", at + 1);
  }

  std::string_view text_;
  const ObjectiveContext* context_;
  size_t pos_ = 0;
};

}  // namespace

ObjectiveContext ObjectiveContext::for_model(const Model& model) {
  return {.resolve_tensor = [&model](std::string_view name) { return model.resolve_tensor(name); },
          .labels = load_labels(model),
          .classifier = classifier_tensors(model)};
}

Objective parse_objective(std::string_view text, const ObjectiveContext& context) {
  return ObjectiveParser(text, &context).parse();
}

Objective parse_objective(std::string_view text) {
  return parse_objective(text, ObjectiveContext{});
}

void check_objective_syntax(std::string_view text) {
  ObjectiveParser(text, nullptr).parse();
}

}  // namespace neuroscope
