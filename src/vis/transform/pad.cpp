// Pad: a constant border around every image. Forward copies the image into the middle of a
// canvas of `value`; the adjoint of its linear part is the crop of that middle.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "neuroscope/error.h"
#include "neuroscope/transform.h"

namespace neuroscope {
namespace {

class Pad final : public Transform {
 public:
  Pad(int64_t amount, float value) : amount_(amount), value_(value) {
    if (amount < 0) throw error("pad must not be negative (got ", amount, ")");
    if (!std::isfinite(value)) throw error("pad value must be a finite number (got ", value, ")");
  }

  std::string describe() const override {
    std::ostringstream text;
    text << "pad " << amount_ << " (" << value_ << ")";
    return text.str();
  }

  Shape output_shape(const Shape& in) const override {
    return {in[0], in[1], in[2] + 2 * amount_, in[3] + 2 * amount_};
  }

  void sample(ImageRngs&) override {}

  void forward(const Tensor& in, Tensor& out) const override {
    out.fill(value_);
    copy_rows(in, out, false);
  }
  void backward(const Tensor& d_out, Tensor& d_in) const override { copy_rows(d_out, d_in, true); }

 private:
  // Copies each row of the small side into (forward) or out of (adjoint) the padded side.
  void copy_rows(const Tensor& from, Tensor& to, bool adjoint) const {
    const Tensor& small = adjoint ? to : from;
    const int64_t planes = small.dim(0) * small.dim(1), h = small.dim(2), w = small.dim(3);
    const int64_t ph = h + 2 * amount_, pw = w + 2 * amount_;
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t y = 0; y < h; ++y) {
        const int64_t small_row = (p * h + y) * w;
        const int64_t padded_row = (p * ph + y + amount_) * pw + amount_;
        const float* src = from.data() + (adjoint ? padded_row : small_row);
        std::copy(src, src + w, to.data() + (adjoint ? small_row : padded_row));
      }
  }

  int64_t amount_;
  float value_;
};

}  // namespace

std::unique_ptr<Transform> make_pad(int64_t amount, float value) {
  return std::make_unique<Pad>(amount, value);
}

}  // namespace neuroscope
