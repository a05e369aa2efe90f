// Stockham FFT. A pass of radix p over sub-transforms of length L (n = L p m) turns the
// length-L DFTs Y_k (k < p m, each stored at [q m p + k]) of the decimated sequences
// x[k + p m t] into the length-Lp DFTs of x[k' + m t'] (k' < m), stored at [q' m + k']:
//   X_k'[q + L s] = sum_r e^{-2 pi i r s / p} (w^{r q} Y_{k' + m r}[q]),  w = e^{-2 pi i / Lp}.
// Every step reads one buffer and writes another, in natural order at the end (no bit
// reversal), and its innermost loop runs over the batch of sequences side by side.
#include "vis/param/fft.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "neuroscope/error.h"

namespace neuroscope::vis {
namespace {

// Four floats in one SSE register (a GCC/Clang vector extension). The butterflies are written
// once for this and for plain float, which takes the tail of a batch.
typedef float Vec4 __attribute__((vector_size(16)));

template <class V>
V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}

template <class V>
void store(float* p, V v) {
  std::memcpy(p, &v, sizeof(V));
}

template <class V>
struct Complex {
  V re, im;
};

template <class V>
Complex<V> operator+(Complex<V> a, Complex<V> b) {
  return {a.re + b.re, a.im + b.im};
}

template <class V>
Complex<V> operator-(Complex<V> a, Complex<V> b) {
  return {a.re - b.re, a.im - b.im};
}

template <class V>
Complex<V> operator*(Complex<V> a, float s) {
  return {a.re * s, a.im * s};
}

template <class V>
Complex<V> times(Complex<V> a, float wr, float wi) {
  return {a.re * wr - a.im * wi, a.re * wi + a.im * wr};
}

template <class V>
Complex<V> times_minus_i(Complex<V> a) {
  return {a.im, -a.re};
}

// Where one butterfly's p inputs (at r * in_step) and p outputs (at s * out_step) lie.
struct Lanes {
  const float *in_re, *in_im;
  int64_t in_step;
  float *out_re, *out_im;
  int64_t out_step;

  Lanes shifted(int64_t b) const {
    return {in_re + b, in_im + b, in_step, out_re + b, out_im + b, out_step};
  }
};

// Input r of the butterfly, times its twiddle (input 0's is 1).
template <class V>
Complex<V> input(const Lanes& at, int64_t r, const float* twiddle_re, const float* twiddle_im) {
  const Complex<V> a{load<V>(at.in_re + r * at.in_step), load<V>(at.in_im + r * at.in_step)};
  return r == 0 ? a : times(a, twiddle_re[r - 1], twiddle_im[r - 1]);
}

template <class V>
void output(const Lanes& at, int64_t s, Complex<V> v) {
  store(at.out_re + s * at.out_step, v.re);
  store(at.out_im + s * at.out_step, v.im);
}

// The p-point DFT for odd p, pairing inputs r and p - r: with S_r = a_r + a_{p-r} and
// D_r = a_r - a_{p-r}, outputs u and p - u are A -+ i B, A = a_0 + sum_r S_r cos(2 pi r u / p),
// B = sum_r D_r sin(2 pi r u / p). P is the radix when known at compile time, else 0.
template <int64_t P, class V>
void odd_butterfly(const Lanes& at, const float* twiddle_re, const float* twiddle_im,
                   const FftPlan::Stage& stage) {
  constexpr int64_t kCapacity = (P > 0 ? P : FftPlan::kMaxDirectRadix) / 2 + 1;
  const int64_t p = P > 0 ? P : stage.radix, half = (p - 1) / 2;
  const float* cos = stage.root_cos.data();
  const float* sin = stage.root_sin.data();
  Complex<V> sum[kCapacity], difference[kCapacity];
  const Complex<V> a0 = input<V>(at, 0, twiddle_re, twiddle_im);
  Complex<V> total = a0;
  for (int64_t r = 1; r <= half; ++r) {
    const Complex<V> a = input<V>(at, r, twiddle_re, twiddle_im);
    const Complex<V> b = input<V>(at, p - r, twiddle_re, twiddle_im);
    sum[r] = a + b;
    difference[r] = a - b;
    total = total + sum[r];
  }
  output(at, 0, total);
  for (int64_t u = 1; u <= half; ++u) {
    Complex<V> even = a0, odd{};
    int64_t t = 0;  // r u mod p
    for (int64_t r = 1; r <= half; ++r) {
      t += u;
      if (t >= p) t -= p;
      even = even + sum[r] * cos[t];
      odd = odd + difference[r] * sin[t];
    }
    output(at, u, even + times_minus_i(odd));
    output(at, p - u, even - times_minus_i(odd));
  }
}

template <int64_t P, class V>
void butterfly(const Lanes& at, const float* twiddle_re, const float* twiddle_im,
               const FftPlan::Stage& stage) {
  if constexpr (P == 2) {
    const Complex<V> a0 = input<V>(at, 0, twiddle_re, twiddle_im);
    const Complex<V> a1 = input<V>(at, 1, twiddle_re, twiddle_im);
    output(at, 0, a0 + a1);
    output(at, 1, a0 - a1);
  } else if constexpr (P == 4) {
    const Complex<V> a0 = input<V>(at, 0, twiddle_re, twiddle_im);
    const Complex<V> a1 = input<V>(at, 1, twiddle_re, twiddle_im);
    const Complex<V> a2 = input<V>(at, 2, twiddle_re, twiddle_im);
    const Complex<V> a3 = input<V>(at, 3, twiddle_re, twiddle_im);
    const Complex<V> s02 = a0 + a2, d02 = a0 - a2, s13 = a1 + a3;
    const Complex<V> d13 = times_minus_i(a1 - a3);
    output(at, 0, s02 + s13);
    output(at, 1, d02 + d13);
    output(at, 2, s02 - s13);
    output(at, 3, d02 - d13);
  } else {
    odd_butterfly<P, V>(at, twiddle_re, twiddle_im, stage);
  }
}

// Planes of split complex data, element j of sequence b at [j * stride + b].
struct Planes {
  float *re, *im;
  int64_t stride;
};

template <int64_t P>
void run_stage(const FftPlan::Stage& stage, int64_t n, const Planes& in, const Planes& out,
               int64_t count) {
  const int64_t p = stage.radix, span = stage.span, m = n / (span * p);
  for (int64_t q = 0; q < span; ++q) {
    const float* twiddle_re = stage.twiddle_re.data() + q * (p - 1);
    const float* twiddle_im = stage.twiddle_im.data() + q * (p - 1);
    for (int64_t k = 0; k < m; ++k) {
      const int64_t from = (q * p * m + k) * in.stride, to = (q * m + k) * out.stride;
      const Lanes at{in.re + from, in.im + from, m * in.stride,
                     out.re + to,  out.im + to,  span * m * out.stride};
      int64_t b = 0;
      for (; b + 4 <= count; b += 4)
        butterfly<P, Vec4>(at.shifted(b), twiddle_re, twiddle_im, stage);
      for (; b < count; ++b) butterfly<P, float>(at.shifted(b), twiddle_re, twiddle_im, stage);
    }
  }
}

void run_stage_any(const FftPlan::Stage& stage, int64_t n, const Planes& in, const Planes& out,
                   int64_t count) {
  switch (stage.radix) {
    case 2:
      return run_stage<2>(stage, n, in, out, count);
    case 3:
      return run_stage<3>(stage, n, in, out, count);
    case 4:
      return run_stage<4>(stage, n, in, out, count);
    case 5:
      return run_stage<5>(stage, n, in, out, count);
    case 7:
      return run_stage<7>(stage, n, in, out, count);
    default:
      return run_stage<0>(stage, n, in, out, count);
  }
}

void copy_planes(const Planes& from, const Planes& to, int64_t n, int64_t count) {
  for (int64_t j = 0; j < n; ++j) {
    std::copy_n(from.re + j * from.stride, count, to.re + j * to.stride);
    std::copy_n(from.im + j * from.stride, count, to.im + j * to.stride);
  }
}

// 2 pi (a mod size) / size, exact in double before rounding to float.
double angle(int64_t a, int64_t size) {
  return 2.0 * std::numbers::pi * static_cast<double>(a % size) / static_cast<double>(size);
}

// The radices of n, 4s first; empty when a prime factor exceeds kMaxDirectRadix.
std::vector<int64_t> factorize(int64_t n) {
  std::vector<int64_t> radices;
  for (; n % 4 == 0; n /= 4) radices.push_back(4);
  for (int64_t p = 2; p * p <= n; p += (p == 2 ? 1 : 2))
    for (; n % p == 0; n /= p) radices.push_back(p);
  if (n > 1) radices.push_back(n);
  if (!radices.empty() &&
      *std::max_element(radices.begin(), radices.end()) > FftPlan::kMaxDirectRadix)
    return {};
  return radices;
}

// The smallest length >= n with no prime factor above 7.
int64_t smooth_length(int64_t n) {
  for (;; ++n) {
    int64_t rest = n;
    for (const int64_t p : {2, 3, 5, 7})
      while (rest % p == 0) rest /= p;
    if (rest == 1) return n;
  }
}

FftPlan::Stage make_stage(int64_t radix, int64_t span) {
  FftPlan::Stage stage;
  stage.radix = radix;
  stage.span = span;
  for (int64_t q = 0; q < span; ++q)
    for (int64_t r = 1; r < radix; ++r) {
      const double a = angle(r * q, span * radix);
      stage.twiddle_re.push_back(static_cast<float>(std::cos(a)));
      stage.twiddle_im.push_back(static_cast<float>(-std::sin(a)));
    }
  for (int64_t t = 0; t < radix; ++t) {
    stage.root_cos.push_back(static_cast<float>(std::cos(angle(t, radix))));
    stage.root_sin.push_back(static_cast<float>(std::sin(angle(t, radix))));
  }
  return stage;
}

}  // namespace

FftPlan::FftPlan(int64_t size) : size_(size) {
  NS_CHECK(size > 0, size);
  if (size == 1) return;
  const std::vector<int64_t> radices = factorize(size);
  int64_t span = 1;
  for (const int64_t radix : radices) {
    stages_.push_back(make_stage(radix, span));
    span *= radix;
  }
  if (!radices.empty()) return;

  // Bluestein: j k = (j^2 + k^2 - (k - j)^2) / 2 turns the DFT into chirp, convolve with the
  // conjugate chirp, chirp; the cyclic convolution of length m >= 2n - 1 holds the linear one.
  const int64_t m = smooth_length(2 * size - 1);
  convolution_ = std::make_shared<const FftPlan>(m);
  const auto n = static_cast<size_t>(size);
  chirp_re_.resize(n);
  chirp_im_.resize(n);
  std::vector<float> kernel_re(static_cast<size_t>(m)), kernel_im(kernel_re.size());
  for (int64_t j = 0; j < size; ++j) {
    const double a = angle(j * j, 2 * size);  // pi j^2 / n
    chirp_re_[static_cast<size_t>(j)] = static_cast<float>(std::cos(a));
    chirp_im_[static_cast<size_t>(j)] = static_cast<float>(-std::sin(a));
    for (const int64_t at : {j, (m - j) % m}) {
      kernel_re[static_cast<size_t>(at)] = static_cast<float>(std::cos(a) / static_cast<double>(m));
      kernel_im[static_cast<size_t>(at)] = static_cast<float>(std::sin(a) / static_cast<double>(m));
    }
  }
  std::vector<float> scratch(static_cast<size_t>(convolution_->scratch_floats(1)));
  convolution_->forward(kernel_re.data(), kernel_im.data(), 1, 1, scratch.data());
  kernel_re_ = std::move(kernel_re);
  kernel_im_ = std::move(kernel_im);
}

int64_t FftPlan::scratch_floats(int64_t count) const {
  if (convolution_) {
    const int64_t m = convolution_->size();
    return 2 * m * count + convolution_->scratch_floats(count);
  }
  return size_ > 1 ? 4 * size_ * count : 0;
}

void FftPlan::forward(float* re, float* im, int64_t stride, int64_t count, float* scratch) const {
  NS_CHECK(stride >= count, stride, count);
  if (convolution_)
    bluestein(re, im, stride, count, scratch);
  else
    run_stages(re, im, stride, count, scratch);
}

// Ping-pong between the data and two scratch buffers so that the last pass lands in the data:
// an even number of passes alternates scratch A and the data, an odd one A and B.
void FftPlan::run_stages(float* re, float* im, int64_t stride, int64_t count,
                         float* scratch) const {
  const int64_t n = size_, passes = static_cast<int64_t>(stages_.size());
  const Planes data{re, im, stride};
  const Planes a{scratch, scratch + n * count, count};
  const Planes b{scratch + 2 * n * count, scratch + 3 * n * count, count};
  Planes from = data;
  for (int64_t i = 0; i < passes; ++i) {
    const Planes to = (i == passes - 1 && passes > 1) ? data
                      : i % 2 == 0                    ? a
                      : passes % 2 == 0               ? data
                                                      : b;
    run_stage_any(stages_[static_cast<size_t>(i)], n, from, to, count);
    from = to;
  }
  if (passes == 1) copy_planes(a, data, n, count);
}

void FftPlan::bluestein(float* re, float* im, int64_t stride, int64_t count, float* scratch) const {
  const int64_t n = size_, m = convolution_->size();
  float* conv_re = scratch;
  float* conv_im = scratch + m * count;
  float* inner_scratch = scratch + 2 * m * count;
  for (int64_t j = 0; j < n; ++j) {
    const float cr = chirp_re_[static_cast<size_t>(j)], ci = chirp_im_[static_cast<size_t>(j)];
    for (int64_t b = 0; b < count; ++b) {
      const float xr = re[j * stride + b], xi = im[j * stride + b];
      conv_re[j * count + b] = xr * cr - xi * ci;
      conv_im[j * count + b] = xr * ci + xi * cr;
    }
  }
  std::fill(conv_re + n * count, conv_re + m * count, 0.0f);
  std::fill(conv_im + n * count, conv_im + m * count, 0.0f);
  convolution_->forward(conv_re, conv_im, count, count, inner_scratch);
  for (int64_t j = 0; j < m; ++j) {
    const float kr = kernel_re_[static_cast<size_t>(j)], ki = kernel_im_[static_cast<size_t>(j)];
    for (int64_t b = 0; b < count; ++b) {
      const float xr = conv_re[j * count + b], xi = conv_im[j * count + b];
      conv_re[j * count + b] = xr * kr - xi * ki;
      conv_im[j * count + b] = xr * ki + xi * kr;
    }
  }
  convolution_->forward(conv_im, conv_re, count, count, inner_scratch);  // inverse
  for (int64_t k = 0; k < n; ++k) {
    const float cr = chirp_re_[static_cast<size_t>(k)], ci = chirp_im_[static_cast<size_t>(k)];
    for (int64_t b = 0; b < count; ++b) {
      const float xr = conv_re[k * count + b], xi = conv_im[k * count + b];
      re[k * stride + b] = xr * cr - xi * ci;
      im[k * stride + b] = xr * ci + xi * cr;
    }
  }
}

}  // namespace neuroscope::vis
