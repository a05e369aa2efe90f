#include "neuroscope/objective.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "neuroscope/error.h"
#include "vis/objectives/channel.h"

namespace neuroscope {

Objective Objective::channel(std::string tensor, int64_t channel, std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::ChannelSumOfSquares>(std::move(tensor), channel, batch));
}

Objective Objective::from_term(std::shared_ptr<const ObjectiveTerm> term, double weight) {
  Objective o;
  o.terms_.push_back({weight, std::move(term)});
  return o;
}

Objective Objective::operator+(const Objective& other) const {
  Objective sum = *this;
  sum.terms_.insert(sum.terms_.end(), other.terms_.begin(), other.terms_.end());
  return sum;
}

Objective Objective::operator-(const Objective& other) const { return *this + other * -1.0; }

Objective Objective::operator*(double factor) const {
  Objective scaled = *this;
  for (Term& t : scaled.terms_) t.weight *= factor;
  return scaled;
}

std::vector<std::string> Objective::tensors() const {
  std::vector<std::string> names;
  for (const Term& t : terms_)
    if (std::find(names.begin(), names.end(), t.term->tensor()) == names.end())
      names.push_back(t.term->tensor());
  return names;
}

std::string Objective::describe() const {
  std::string text;
  for (const Term& t : terms_) {
    if (!text.empty()) text += t.weight < 0 ? " - " : " + ";
    else if (t.weight < 0) text += "-";
    const double w = std::abs(t.weight);
    if (w != 1.0) text += std::to_string(w) + "*";
    text += t.term->describe();
  }
  return text;
}

namespace {

class ObjectiveParser {
 public:
  explicit ObjectiveParser(std::string_view text) : text_(text) {}

  Objective parse() {
    Objective result;
    double sign = 1.0;
    skip_space();
    if (peek('-')) {
      sign = -1.0;
      ++pos_;
    } else if (peek('+')) {
      ++pos_;
    }
    while (true) {
      result = result + term() * sign;
      skip_space();
      if (pos_ >= text_.size()) break;
      if (peek('+')) sign = 1.0;
      else if (peek('-')) sign = -1.0;
      else fail("expected '+' or '-'");
      ++pos_;
    }
    return result;
  }

 private:
  // [number '*'] tensor ':' channel
  Objective term() {
    skip_space();
    double weight = 1.0;
    const size_t start = pos_;
    if (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
      const size_t star = text_.find('*', pos_);
      if (star != std::string_view::npos) {
        weight = number(text_.substr(pos_, star - pos_));
        pos_ = star + 1;
      }
    }
    skip_space();
    // The tensor name runs to the last ':' before the next top-level '+'/'-' separator.
    size_t end = pos_;
    while (end < text_.size() && !is_separator(end)) ++end;
    std::string_view item = text_.substr(pos_, end - pos_);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      fail_at(start, "expected TENSOR:CHANNEL");
    const std::string tensor(item.substr(0, colon));
    const double channel = number(item.substr(colon + 1));
    if (channel != static_cast<double>(static_cast<int64_t>(channel)) || channel < 0)
      fail_at(start, "channel must be a non-negative integer");
    pos_ = end;
    return Objective::channel(tensor, static_cast<int64_t>(channel)) * weight;
  }

  // '+'/'-' end a term only right after its ":CHANNEL" (tensor names may contain '-').
  bool is_separator(size_t i) const {
    if (text_[i] != '+' && text_[i] != '-') return false;
    std::string_view before = text_.substr(0, i);
    while (!before.empty() && std::isspace(static_cast<unsigned char>(before.back()))) before.remove_suffix(1);
    const size_t digits = before.find_last_not_of("0123456789");
    return digits != std::string_view::npos && digits + 1 < before.size() && before[digits] == ':';
  }

  double number(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    double value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
      fail(detail::concat("'", s, "' is not a number"));
    return value;
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    throw error("objective '", text_, "': ", what, " at character ", at + 1);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Objective parse_objective(std::string_view text) {
  if (text.find_first_not_of(" \t") == std::string_view::npos)
    throw error("objective is empty; expected TENSOR:CHANNEL");
  return ObjectiveParser(text).parse();
}

BoundObjective::BoundObjective(Objective objective,
                               const std::function<const Tensor&(const std::string&)>& activation,
                               const std::function<Tensor&(const std::string&)>& gradient)
    : objective_(std::move(objective)) {
  if (objective_.empty()) throw error("the objective has no terms");
  int64_t batch = -1;
  for (const Objective::Term& t : objective_.terms()) {
    const Tensor& act = activation(t.term->tensor());
    t.term->check(act.shape());
    Tensor& grad = gradient(t.term->tensor());
    NS_CHECK(grad.shape() == act.shape(), "gradient buffer of ", t.term->tensor());
    activations_.push_back(&act);
    gradients_.push_back(&grad);
    if (std::find(distinct_gradients_.begin(), distinct_gradients_.end(), &grad) ==
        distinct_gradients_.end())
      distinct_gradients_.push_back(&grad);
    const int64_t b = act.rank() > 0 ? act.dim(0) : 1;
    if (batch >= 0 && b != batch)
      throw error("objective tensors disagree on the batch size (", batch, " vs ", b, ")");
    batch = b;
  }
  values_.assign(static_cast<size_t>(batch), 0.0);
}

const std::vector<double>& BoundObjective::evaluate(bool seed_silent) {
  std::fill(values_.begin(), values_.end(), 0.0);
  for (Tensor* g : distinct_gradients_) g->fill(0.0f);
  const auto& terms = objective_.terms();
  for (size_t i = 0; i < terms.size(); ++i)
    terms[i].term->accumulate(*activations_[i], terms[i].weight, values_, *gradients_[i]);
  if (seed_silent)
    for (size_t b = 0; b < values_.size(); ++b)
      if (values_[b] == 0.0)
        for (size_t i = 0; i < terms.size(); ++i)
          terms[i].term->seed(*activations_[i], terms[i].weight, static_cast<int64_t>(b), *gradients_[i]);
  return values_;
}

void ObjectiveTerm::seed(const Tensor&, double, int64_t, Tensor&) const {}

double BoundObjective::total() const {
  double sum = 0;
  for (double v : values_) sum += v;
  return sum;
}

}  // namespace neuroscope
