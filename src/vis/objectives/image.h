// Image-space terms (Lucid's total_variation and L1 on the input): they read the rendered image
// ([N,C,H,W] in [0,1], before transformations) through the pseudo-tensor kImageTensor.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

class ImageTerm : public TensorTerm {
 public:
  explicit ImageTerm(std::optional<int64_t> batch) : TensorTerm(std::string(kImageTensor), batch) {}
  void check(const Shape& shape) const override;
};

// Sum over the image of |x[c,y+1,x] - x[c,y,x]| + |x[c,y,x+1] - x[c,y,x]|. Where neighbours are
// equal the (sub)gradient is 0.
class TotalVariation final : public ImageTerm {
 public:
  using ImageTerm::ImageTerm;
  std::string describe() const override;  // "tv"
  void accumulate(const Tensor& image, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
};

// Sum over the image of |x - center|.
class L1 final : public ImageTerm {
 public:
  L1(double center, std::optional<int64_t> batch) : ImageTerm(batch), center_(center) {}
  std::string describe() const override;  // "l1" or "l1(CENTER)"
  void accumulate(const Tensor& image, double weight, std::vector<double>& values,
                  Tensor& grad) const override;

 private:
  double center_;
};

}  // namespace neuroscope::vis
