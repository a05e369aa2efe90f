// Shared parts of objective terms: the tensor name, the optional image index, shape checks.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "neuroscope/error.h"
#include "neuroscope/objective.h"

namespace neuroscope::vis {

// A term on one tensor, applied to every image of the batch or only to image `batch`.
class TensorTerm : public ObjectiveTerm {
 public:
  TensorTerm(std::string tensor, std::optional<int64_t> batch)
      : tensor_(std::move(tensor)), batch_(batch) {}
  const std::string& tensor() const override { return tensor_; }

 protected:
  // "@B" for a term on one image, "" otherwise (the parser's syntax).
  std::string image_suffix() const;
  // "NAME(ARG,ARG...)" followed by image_suffix(): the term in the parser's syntax.
  std::string call(std::string_view name, std::initializer_list<std::string> args) const;
  // Throws when the batch index is outside the tensor's batch.
  void check_batch(const Shape& shape) const;
  // Throws unless the tensor is [N, C, ...] with channel in range.
  void check_channel(const Shape& shape, int64_t channel) const;
  [[noreturn]] void fail(const std::string& what) const;
  int64_t first_image() const { return batch_ ? *batch_ : 0; }
  int64_t end_image(const Shape& shape) const { return batch_ ? *batch_ + 1 : shape[0]; }
  bool applies_to(int64_t image) const { return !batch_ || *batch_ == image; }

  std::string tensor_;
  std::optional<int64_t> batch_;
};

// A name or label as a function argument in the parser's syntax: quoted when it holds characters
// the parser would split on.
std::string quote_name(const std::string& name);
// A number in its shortest form that reads back exactly ("0.5", "1e-03" -> "0.001").
std::string format_number(double value);

// Elements per image (product of all dimensions after the first).
int64_t per_image(const Shape& shape);
// Positions per channel (product of dimensions after the second) of [N, C, ...].
int64_t positions(const Shape& shape);

}  // namespace neuroscope::vis
