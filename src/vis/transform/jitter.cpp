// Jitter: shift each image by a random integer offset. Wrap mode is a permutation (its adjoint
// is the inverse roll); crop mode reads a window (its adjoint scatters into that window).
#include <algorithm>

#include "neuroscope/error.h"
#include "neuroscope/transform.h"

namespace neuroscope {
namespace {

class Jitter final : public Transform {
 public:
  Jitter(int64_t amount, JitterMode mode) : amount_(amount), mode_(mode) {
    if (amount < 0) throw error("jitter must not be negative (got ", amount, ")");
  }

  std::string describe() const override {
    return "jitter " + std::to_string(amount_) +
           (mode_ == JitterMode::kWrap ? " (wrap)" : " (crop)");
  }

  Shape output_shape(const Shape& in) const override {
    if (mode_ == JitterMode::kWrap) return in;
    if (in[2] <= amount_ || in[3] <= amount_)
      throw error("jitter ", amount_, " crops away an image of size ", in[2], "x", in[3]);
    return {in[0], in[1], in[2] - amount_, in[3] - amount_};
  }

  void sample(ImageRngs& rngs) override {
    shifts_.resize(rngs.size());  // sized on the first step only
    // Wrap: -amount..amount (the reference; its draws must not change). Crop: Lucid's
    // random_crop to size - amount, whose offsets are 0..amount.
    std::uniform_int_distribution<int64_t> offset(mode_ == JitterMode::kWrap ? -amount_ : 0,
                                                  amount_);
    for (size_t b = 0; b < rngs.size(); ++b) shifts_[b] = {offset(rngs[b]), offset(rngs[b])};
  }

  void forward(const Tensor& in, Tensor& out) const override { move(in, out, false); }
  void backward(const Tensor& d_out, Tensor& d_in) const override { move(d_out, d_in, true); }

 private:
  static int64_t wrap(int64_t v, int64_t n) { return ((v % n) + n) % n; }

  // Forward: out[y][x] = in[y - dy][x - dx] (wrap) or in[y + dy][x + dx] (crop). Each output
  // row is one source row read in at most two contiguous pieces (one when cropping); the
  // adjoint copies the same pieces the other way.
  void move(const Tensor& from, Tensor& to, bool adjoint) const {
    const Tensor& big = adjoint ? to : from;  // the un-jittered side
    const int64_t n = big.dim(0), c = big.dim(1), h = big.dim(2), w = big.dim(3);
    NS_CHECK(static_cast<int64_t>(shifts_.size()) == n,
             "jitter: sample() not called for this batch");
    const bool wraps = mode_ == JitterMode::kWrap;
    const int64_t oh = wraps ? h : h - amount_;
    const int64_t ow = wraps ? w : w - amount_;
    if (adjoint && !wraps) to.fill(0.0f);
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t k = 0; k < c; ++k) {
        const auto [dy, dx] = shifts_[static_cast<size_t>(b)];
        const int64_t x0 = wraps ? wrap(-dx, w) : dx;  // source column of output column 0
        const int64_t first = wraps ? w - x0 : ow;     // output columns before the wrap
        const float* src = from.data() + (b * c + k) * (adjoint ? oh * ow : h * w);
        float* dst = to.data() + (b * c + k) * (adjoint ? h * w : oh * ow);
        for (int64_t y = 0; y < oh; ++y) {
          const int64_t sy = wraps ? wrap(y - dy, h) : y + dy;
          if (adjoint) {
            const float* row = src + y * ow;
            std::copy_n(row, first, dst + sy * w + x0);
            std::copy_n(row + first, ow - first, dst + sy * w);
          } else {
            const float* row = src + sy * w;
            std::copy_n(row + x0, first, dst + y * ow);
            std::copy_n(row, ow - first, dst + y * ow + first);
          }
        }
      }
    }
  }

  int64_t amount_;
  JitterMode mode_;
  std::vector<std::pair<int64_t, int64_t>> shifts_;
};

}  // namespace

std::unique_ptr<Transform> make_jitter(int64_t amount, JitterMode mode) {
  return std::make_unique<Jitter>(amount, mode);
}

}  // namespace neuroscope
