// Parameterizations (Lucid's optvis.param): pixels, Fourier, Laplacian pyramid.
// Each backward is checked against central finite differences of render, the linear parts
// against naive float64 formulas written here from numpy's and Lucid's definitions, and the
// renders for range, determinism, batch independence and the start from a photo.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numbers>
#include <numeric>
#include <random>

#include "neuroscope/error.h"
#include "neuroscope/param.h"
#include "neuroscope/score.h"
#include "vis/param/dft.h"
#include "vis/param/fft.h"

namespace neuroscope {
namespace {

constexpr double kPi = std::numbers::pi;

ImageRngs rngs_for(uint64_t seed, uint64_t first_key, int64_t count) {
  ImageRngs rngs;
  for (int64_t i = 0; i < count; ++i)
    rngs.emplace_back(seed * 1000003u + first_key + static_cast<uint64_t>(i));
  return rngs;
}

std::vector<double> normal_vector(size_t n, uint64_t seed, double sd = 1.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, sd);
  std::vector<double> v(n);
  for (double& x : v) x = normal(rng);
  return v;
}

Tensor random_image(const Shape& shape, uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  Tensor t(shape);
  for (float& v : t.values()) v = uniform(rng);
  return t;
}

Tensor render(const Parameterization& param, const Shape& shape) {
  Tensor images(shape);
  param.render(images);
  return images;
}

std::unique_ptr<Parameterization> initialized(std::string_view spec, const Shape& shape,
                                              uint64_t seed = 7) {
  auto param = make_param(spec);
  ImageRngs rngs = rngs_for(seed, 0, shape[0]);
  param->initialize(shape[0], shape[1], shape[2], shape[3], rngs);
  return param;
}

// A theta far from the start (where the sigmoid is nearly linear): each image started from a
// random picture, plus noise on every parameter (including those a picture never sets).
void busy_theta(Parameterization& param, const Shape& shape, uint64_t seed) {
  for (int64_t b = 0; b < shape[0]; ++b)
    param.start_from(b, random_image({shape[1], shape[2], shape[3]},
                                     seed + static_cast<uint64_t>(b), 0.1f, 0.9f));
  const std::span<float> theta = param.parameters();
  double rms = 0;
  for (float v : theta) rms += static_cast<double>(v) * v / static_cast<double>(theta.size());
  const std::vector<double> noise = normal_vector(theta.size(), seed + 99, 0.3 * std::sqrt(rms));
  for (size_t i = 0; i < theta.size(); ++i) theta[i] += static_cast<float>(noise[i]);
}

double dot(std::span<const float> a, std::span<const double> b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

struct ParamCase {
  std::string spec;
  Shape shape;  // [N, C, H, W]
};

std::string case_name(const testing::TestParamInfo<ParamCase>& info) {
  std::string name = info.param.spec;
  for (int64_t d : info.param.shape) {
    name += '_';
    name += std::to_string(d);
  }
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class ParamTest : public testing::TestWithParam<ParamCase> {};

// backward(g) equals the central differences of <g, render(theta)>, coordinate by coordinate
// (so a wrong weight on a few parameters, e.g. one coarse level, cannot hide in a sum), and
// <backward(g), v> those along random directions v.
TEST_P(ParamTest, BackwardMatchesFiniteDifferences) {
  const auto& [spec, shape] = GetParam();
  auto param = initialized(spec, shape);
  busy_theta(*param, shape, 11);
  const std::span<float> theta = param->parameters();
  const std::vector<float> theta0(theta.begin(), theta.end());
  const std::vector<double> g = normal_vector(static_cast<size_t>(element_count(shape)), 21);
  Tensor g_tensor(shape);
  for (size_t i = 0; i < g.size(); ++i)
    g_tensor[static_cast<int64_t>(i)] = static_cast<float>(g[i]);
  // Large enough that float32 rounding in render stays well below the tolerance, small enough
  // that the third-order term does too (the worst error is printed below).
  const double eps = 3e-2;
  // <g, render(theta0 + e v) - render(theta0 - e v)> and <grad, the step theta really took>:
  // the objective is accumulated in double and the steps are measured after rounding to float.
  struct Difference {
    double objective = 0, predicted = 0;
  };
  auto central_difference = [&](const std::vector<float>& grad, auto&& step) {
    Difference d;
    for (const double sign : {1.0, -1.0}) {
      step(sign * eps);
      const double value = dot(render(*param, shape).values(), g);
      double predicted = 0;
      for (size_t i = 0; i < theta.size(); ++i)
        predicted += static_cast<double>(grad[i]) * (static_cast<double>(theta[i]) - theta0[i]);
      d.objective += sign * value;
      d.predicted += sign * predicted;
      std::copy(theta0.begin(), theta0.end(), theta.begin());
    }
    return d;
  };

  // theta is restored without rendering: backward must not trust the last (perturbed) render.
  std::vector<float> grad(theta.size(), 123.0f);
  param->backward(g_tensor, grad);
  std::vector<Difference> coordinate(theta.size());
  double largest = 0;
  for (size_t i = 0; i < theta.size(); ++i) {
    coordinate[i] =
        central_difference(grad, [&](double e) { theta[i] = static_cast<float>(theta0[i] + e); });
    largest = std::max(largest, std::abs(coordinate[i].objective));
  }
  ASSERT_GT(largest, 1e-4) << spec << ": the objective does not depend on theta";
  double worst = 0;
  for (size_t i = 0; i < theta.size(); ++i) {
    const auto& [numeric, analytic] = coordinate[i];
    const double tolerance = 1e-3 * std::abs(numeric) + 1e-4 * largest;
    worst = std::max(worst, std::abs(analytic - numeric) / tolerance);
    EXPECT_NEAR(analytic, numeric, tolerance) << spec << " parameter " << i;
  }
  std::cout << spec << ": worst coordinate error / tolerance " << worst << "\n";

  for (uint64_t direction = 0; direction < 3; ++direction) {
    std::vector<double> v = normal_vector(theta.size(), 31 + direction);
    const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
    for (double& x : v) x /= norm;  // a step as long as a coordinate's
    const auto [numeric, analytic] = central_difference(grad, [&](double e) {
      for (size_t i = 0; i < theta.size(); ++i) theta[i] = static_cast<float>(theta0[i] + e * v[i]);
    });
    EXPECT_NEAR(analytic, numeric, 1e-3 * std::max(std::abs(numeric), largest))
        << spec << " direction " << direction;
  }

  // The same gradient after a render of this very theta (the cached path).
  render(*param, shape);
  std::vector<float> grad2(theta.size(), -5.0f);
  param->backward(g_tensor, grad2);
  EXPECT_EQ(grad, grad2);
}

TEST_P(ParamTest, ImagesInUnitRangeAndFinite) {
  const auto& [spec, shape] = GetParam();
  auto param = initialized(spec, shape);
  auto check = [&](const char* what) {
    const Tensor images = render(*param, shape);
    for (float v : images.values())
      ASSERT_TRUE(v >= 0.0f && v <= 1.0f) << spec << " " << what << ": " << v;
  };
  check("start");
  busy_theta(*param, shape, 3);
  param->project();
  check("busy");
  for (float& v : param->parameters()) v *= 1e4f;
  param->project();
  check("huge theta");
}

TEST_P(ParamTest, SameSeedSameBytesAndBatchIndependent) {
  const auto& [spec, shape] = GetParam();
  const Tensor a = render(*initialized(spec, shape, 5), shape);
  const Tensor b = render(*initialized(spec, shape, 5), shape);
  ASSERT_EQ(0, std::memcmp(a.data(), b.data(), static_cast<size_t>(a.size()) * sizeof(float)));
  const Tensor other = render(*initialized(spec, shape, 6), shape);
  EXPECT_NE(0, std::memcmp(a.data(), other.data(), static_cast<size_t>(a.size()) * sizeof(float)));

  // Image k of a batch of 3 is the image rendered alone from the same generator.
  const Shape batch_shape{3, shape[1], shape[2], shape[3]};
  const int64_t image_size = shape[1] * shape[2] * shape[3];
  auto batch = make_param(spec);
  ImageRngs rngs = rngs_for(9, 0, 3);
  batch->initialize(3, shape[1], shape[2], shape[3], rngs);
  const Tensor together = render(*batch, batch_shape);
  for (int64_t k = 0; k < 3; ++k) {
    auto alone = make_param(spec);
    ImageRngs one = rngs_for(9, static_cast<uint64_t>(k), 1);
    alone->initialize(1, shape[1], shape[2], shape[3], one);
    const Tensor single = render(*alone, {1, shape[1], shape[2], shape[3]});
    EXPECT_EQ(0, std::memcmp(single.data(), together.data() + k * image_size,
                             static_cast<size_t>(image_size) * sizeof(float)))
        << spec << " image " << k;
  }
}

// A render after start_from(i, photo) reproduces the photo in image i (Fourier and Laplacian
// clamped to [1e-3, 1-1e-3]) and leaves the others alone.
TEST_P(ParamTest, StartFromReproducesImage) {
  const auto& [spec, shape] = GetParam();
  auto param = initialized(spec, shape);
  const Tensor before = render(*param, shape);
  const Shape image_shape{shape[1], shape[2], shape[3]};
  Tensor photo = random_image(image_shape, 17, 0.0f, 1.0f);
  photo[0] = 0.0f;  // the extremes, which the sigmoid never reaches: clamped
  photo[1] = 1.0f;
  const int64_t index = shape[0] - 1, size = photo.size();
  param->start_from(index, photo);
  const Tensor after = render(*param, shape);
  const bool clamps = spec != "pixels";  // the sigmoid never reaches 0 or 1
  for (int64_t i = 0; i < size; ++i) {
    const float expected = clamps ? std::clamp(photo[i], 1e-3f, 1.0f - 1e-3f) : photo[i];
    ASSERT_NEAR(after[index * size + i], expected, 1e-4) << spec << " pixel " << i;
  }
  for (int64_t i = 0; i < index * size; ++i) ASSERT_EQ(after[i], before[i]);

  // A photo of another size is the user's mistake (pixels treats it as a caller bug instead).
  if (clamps) {
    EXPECT_THROW(param->start_from(0, Tensor({shape[1], shape[2] + 1, shape[3]})), Error);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Params, ParamTest,
    testing::Values(ParamCase{"pixels", {1, 3, 13, 10}}, ParamCase{"fourier", {1, 3, 13, 10}},
                    ParamCase{"fourier", {1, 1, 8, 9}}, ParamCase{"fourier:1.5", {2, 3, 9, 12}},
                    ParamCase{"fourier:0", {2, 1, 7, 5}}, ParamCase{"laplacian", {1, 3, 13, 10}},
                    ParamCase{"laplacian", {1, 1, 8, 9}}, ParamCase{"laplacian:3", {2, 3, 9, 12}},
                    ParamCase{"laplacian:6", {2, 1, 7, 5}}),
    case_name);

// --- The DFT against naive float64 sums ----------------------------------------------------

struct Spectrum {
  std::vector<double> real, imag;  // [H, W/2+1]
};

Spectrum naive_rfft2(const std::vector<double>& image, int64_t h, int64_t w) {
  const int64_t wf = w / 2 + 1;
  Spectrum s{std::vector<double>(static_cast<size_t>(h * wf)),
             std::vector<double>(static_cast<size_t>(h * wf))};
  for (int64_t ky = 0; ky < h; ++ky)
    for (int64_t kx = 0; kx < wf; ++kx)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const double theta = 2 * kPi *
                               (static_cast<double>(ky * y) / static_cast<double>(h) +
                                static_cast<double>(kx * x) / static_cast<double>(w));
          const double v = image[static_cast<size_t>(y * w + x)];
          s.real[static_cast<size_t>(ky * wf + kx)] += v * std::cos(theta);
          s.imag[static_cast<size_t>(ky * wf + kx)] -= v * std::sin(theta);
        }
  return s;
}

// numpy.fft.irfft2(s, (h, w)): the full spectrum is the half one extended by Hermitian
// symmetry, X[-ky][-kx] = conj(X[ky][kx]); numpy keeps the real part of the inverse.
std::vector<double> naive_irfft2(const Spectrum& s, int64_t h, int64_t w) {
  const int64_t wf = w / 2 + 1;
  std::vector<double> image(static_cast<size_t>(h * w));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double sum = 0;
      for (int64_t ky = 0; ky < h; ++ky)
        for (int64_t kx = 0; kx < w; ++kx) {
          // Bins past the half spectrum are conjugates of (-ky, -kx); on the self-conjugate
          // columns (kx = 0, W/2) numpy's c2r transform takes the real part of the result.
          double re, im;
          if (kx < wf) {
            re = s.real[static_cast<size_t>(ky * wf + kx)];
            im = s.imag[static_cast<size_t>(ky * wf + kx)];
          } else {
            const int64_t cy = (h - ky) % h, cx = w - kx;
            re = s.real[static_cast<size_t>(cy * wf + cx)];
            im = -s.imag[static_cast<size_t>(cy * wf + cx)];
          }
          const double theta = 2 * kPi *
                               (static_cast<double>(ky * y) / static_cast<double>(h) +
                                static_cast<double>(kx * x) / static_cast<double>(w));
          sum += re * std::cos(theta) - im * std::sin(theta);
        }
      image[static_cast<size_t>(y * w + x)] = sum / static_cast<double>(h * w);
    }
  return image;
}

std::vector<float> to_float(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}

const std::vector<std::pair<int64_t, int64_t>> kDftSizes{{1, 1},   {1, 7}, {5, 1}, {2, 2},
                                                         {13, 10}, {8, 9}, {7, 5}, {16, 16}};

TEST(RealDft2d, ForwardMatchesNaiveSum) {
  for (const auto& [h, w] : kDftSizes) {
    const std::vector<double> image = normal_vector(static_cast<size_t>(h * w), 40);
    const Spectrum expected = naive_rfft2(image, h, w);
    const vis::RealDft2d dft(h, w);
    ASSERT_EQ(dft.spectrum_width(), w / 2 + 1);
    std::vector<float> real(expected.real.size()), imag(expected.imag.size());
    dft.forward(to_float(image).data(), real.data(), imag.data());
    for (size_t i = 0; i < real.size(); ++i) {
      EXPECT_NEAR(real[i], expected.real[i], 1e-4) << h << "x" << w << " bin " << i;
      EXPECT_NEAR(imag[i], expected.imag[i], 1e-4) << h << "x" << w << " bin " << i;
    }
  }
}

// Including imaginary parts on the self-conjugate columns, which the inverse ignores as numpy.
TEST(RealDft2d, InverseMatchesNaiveHermitianSum) {
  for (const auto& [h, w] : kDftSizes) {
    const size_t n = static_cast<size_t>(h * (w / 2 + 1));
    const Spectrum s{normal_vector(n, 41), normal_vector(n, 42)};
    const std::vector<double> expected = naive_irfft2(s, h, w);
    const vis::RealDft2d dft(h, w);
    std::vector<float> image(expected.size());
    dft.inverse(to_float(s.real).data(), to_float(s.imag).data(), image.data());
    for (size_t i = 0; i < image.size(); ++i)
      EXPECT_NEAR(image[i], expected[i], 1e-5) << h << "x" << w << " pixel " << i;
  }
}

TEST(RealDft2d, RoundTripIsIdentity) {
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{
           {13, 10}, {8, 9}, {37, 50}, {1, 1}, {3, 1}, {224, 236}}) {
    const std::vector<float> image = to_float(normal_vector(static_cast<size_t>(h * w), 43));
    const vis::RealDft2d dft(h, w);
    std::vector<float> real(static_cast<size_t>(dft.spectrum_size())), imag(real.size());
    std::vector<float> back(image.size());
    dft.forward(image.data(), real.data(), imag.data());
    dft.inverse(real.data(), imag.data(), back.data());
    for (size_t i = 0; i < image.size(); ++i)
      ASSERT_NEAR(back[i], image[i], 2e-5) << h << "x" << w << " pixel " << i;
  }
}

// <inverse(S), g> = sum_kx adjoint_weight(kx) <S, forward(g)>, the identity Fourier's
// backward relies on.
TEST(RealDft2d, AdjointWeightsMakeForwardTheAdjointOfInverse) {
  for (const auto& [h, w] : kDftSizes) {
    const vis::RealDft2d dft(h, w);
    const auto n = static_cast<size_t>(dft.spectrum_size());
    const std::vector<float> sr = to_float(normal_vector(n, 44)),
                             si = to_float(normal_vector(n, 45));
    const std::vector<float> g = to_float(normal_vector(static_cast<size_t>(h * w), 46));
    std::vector<float> image(g.size()), gr(n), gi(n);
    dft.inverse(sr.data(), si.data(), image.data());
    dft.forward(g.data(), gr.data(), gi.data());
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < g.size(); ++i) lhs += static_cast<double>(image[i]) * g[i];
    for (size_t i = 0; i < n; ++i)
      rhs += dft.adjoint_weight(static_cast<int64_t>(i) % dft.spectrum_width()) *
             (static_cast<double>(sr[i]) * gr[i] + static_cast<double>(si[i]) * gi[i]);
    EXPECT_NEAR(lhs, rhs, 1e-5 * std::max(1.0, std::abs(lhs))) << h << "x" << w;
  }
}

// The FFT under RealDft2d against the float64 sum, at lengths that exercise each butterfly
// (2, 3, 4, 5, 7), the generic odd one (13, 37, 61), Bluestein (97, 2 * 67) and mixes, with a
// batch of 7 sequences (a 4-wide vector part and a scalar tail) spread over a wider stride.
TEST(FftPlan, MatchesNaiveDftBothWays) {
  constexpr int64_t kCount = 7, kStride = 9;
  for (const int64_t n : {1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 37, 49, 61, 97, 134, 224, 236, 448}) {
    const auto size = static_cast<size_t>(n * kStride);
    const std::vector<double> re = normal_vector(size, 50), im = normal_vector(size, 51);
    const vis::FftPlan plan(n);
    std::vector<float> scratch(static_cast<size_t>(plan.scratch_floats(kCount)));
    for (const bool inverse : {false, true}) {
      std::vector<float> got_re = to_float(re), got_im = to_float(im);
      if (inverse)
        plan.forward(got_im.data(), got_re.data(), kStride, kCount, scratch.data());
      else
        plan.forward(got_re.data(), got_im.data(), kStride, kCount, scratch.data());
      const double sign = inverse ? 1.0 : -1.0;
      // Outputs are sums of n unit normals: errors of a float FFT grow like sqrt(n) log n.
      const double tolerance =
          2e-6 * std::sqrt(static_cast<double>(n)) * (1.0 + std::log2(static_cast<double>(n)));
      for (int64_t b = 0; b < kStride; ++b)
        for (int64_t k = 0; k < n; ++k) {
          const auto at = static_cast<size_t>(k * kStride + b);
          if (b >= kCount) {  // outside the batch: untouched
            ASSERT_EQ(got_re[at], static_cast<float>(re[at])) << n << " sequence " << b;
            ASSERT_EQ(got_im[at], static_cast<float>(im[at])) << n << " sequence " << b;
            continue;
          }
          double sum_re = 0, sum_im = 0;
          for (int64_t j = 0; j < n; ++j) {
            const double theta =
                sign * 2 * kPi * static_cast<double>((j * k) % n) / static_cast<double>(n);
            const auto from = static_cast<size_t>(j * kStride + b);
            sum_re += re[from] * std::cos(theta) - im[from] * std::sin(theta);
            sum_im += re[from] * std::sin(theta) + im[from] * std::cos(theta);
          }
          ASSERT_NEAR(got_re[at], sum_re, tolerance)
              << n << (inverse ? " inverse" : "") << " k " << k;
          ASSERT_NEAR(got_im[at], sum_im, tolerance)
              << n << (inverse ? " inverse" : "") << " k " << k;
        }
    }
  }
}

// Both directions of RealDft2d at sizes whose rows and columns take every FFT path: prime
// (37, 97: Bluestein), odd, 2^k 7 (224), 4 * 59 (236), and row counts that leave a row unpaired.
TEST(RealDft2d, MatchesNaiveSumsAtLargerSizes) {
  for (const auto& [h, w] : std::vector<std::pair<int64_t, int64_t>>{
           {37, 49}, {97, 8}, {5, 224}, {224, 3}, {3, 236}, {17, 134}, {33, 97}}) {
    const std::vector<double> image = normal_vector(static_cast<size_t>(h * w), 52);
    const Spectrum expected = naive_rfft2(image, h, w);
    const vis::RealDft2d dft(h, w);
    std::vector<float> real(expected.real.size()), imag(expected.imag.size());
    dft.forward(to_float(image).data(), real.data(), imag.data());
    const double tolerance = 1e-5 * std::sqrt(static_cast<double>(h * w));
    for (size_t i = 0; i < real.size(); ++i) {
      ASSERT_NEAR(real[i], expected.real[i], tolerance) << h << "x" << w << " bin " << i;
      ASSERT_NEAR(imag[i], expected.imag[i], tolerance) << h << "x" << w << " bin " << i;
    }

    const size_t n = expected.real.size();
    const Spectrum s{normal_vector(n, 53), normal_vector(n, 54)};
    const std::vector<double> pixels = naive_irfft2(s, h, w);
    std::vector<float> got(pixels.size());
    dft.inverse(to_float(s.real).data(), to_float(s.imag).data(), got.data());
    // Pixels are sums of ~HW/2 normals over HW: about 1/sqrt(2HW).
    const double pixel_tolerance = 1e-5 / std::sqrt(static_cast<double>(h * w));
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], pixels[i], pixel_tolerance) << h << "x" << w << " pixel " << i;
  }
}

// Large transforms (here past dft.cpp's kParallelPixels) run on OpenMP threads; every row and
// column batch is computed the same way whichever thread takes it, so the results are bitwise
// those of one thread.
TEST(RealDft2d, ResultsDoNotDependOnThreadCount) {
  const int64_t h = 288, w = 300;
  const std::vector<float> image = to_float(normal_vector(static_cast<size_t>(h * w), 55));
  const auto transform = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    const vis::RealDft2d dft(h, w);
    std::vector<float> real(static_cast<size_t>(dft.spectrum_size())), imag(real.size());
    std::vector<float> back(image.size());
    dft.forward(image.data(), real.data(), imag.data());
    dft.inverse(real.data(), imag.data(), back.data());
    omp_set_num_threads(saved);
    real.insert(real.end(), imag.begin(), imag.end());
    real.insert(real.end(), back.begin(), back.end());
    return real;
  };
  const std::vector<float> one = transform(1), three = transform(3);
  ASSERT_EQ(one.size(), three.size());
  EXPECT_EQ(std::memcmp(one.data(), three.data(), one.size() * sizeof(float)), 0);
}

// --- The whole pipelines against naive float64 formulas -----------------------------------

// numpy.fft.fftfreq(n): [0, 1, ..., (n-1)//2, -(n//2), ..., -1] / n.
std::vector<double> fftfreq(int64_t n) {
  std::vector<double> f;
  for (int64_t k = 0; k <= (n - 1) / 2; ++k)
    f.push_back(static_cast<double>(k) / static_cast<double>(n));
  for (int64_t k = -(n / 2); k < 0; ++k)
    f.push_back(static_cast<double>(k) / static_cast<double>(n));
  return f;
}

// Lucid's color_correlation_svd_sqrt / its largest column norm, applied as t @ M^T.
std::vector<double> decorrelated_to_rgb(const std::vector<double>& t, int64_t channels,
                                        int64_t pixels) {
  if (channels == 1) return t;
  const double m[3][3] = {{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}};
  double largest = 0;
  for (int c = 0; c < 3; ++c) largest = std::max(largest, std::hypot(m[0][c], m[1][c], m[2][c]));
  std::vector<double> rgb(t.size());
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t j = 0; j < 3; ++j)
        rgb[static_cast<size_t>(c * pixels + p)] +=
            m[c][j] / largest * t[static_cast<size_t>(j * pixels + p)];
  return rgb;
}

double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

void expect_render_matches(const Parameterization& param, const Shape& shape,
                           const std::vector<double>& pre_colour) {
  const Tensor images = render(param, shape);
  const int64_t pixels = shape[2] * shape[3];
  const std::vector<double> rgb = decorrelated_to_rgb(pre_colour, shape[1], pixels);
  for (size_t i = 0; i < rgb.size(); ++i)
    ASSERT_NEAR(images[static_cast<int64_t>(i)], sigmoid(rgb[i]), 2e-6) << param.name() << " " << i;
}

// Lucid's fft_image: image = irfft2(spectrum * sqrt(HW) / max(f, 1/max(H,W))^decay) / 4.
TEST(FourierParam, RenderIsLucidsFormula) {
  for (const auto& [shape, decay] : std::vector<std::pair<Shape, double>>{
           {{1, 3, 13, 10}, 1.0}, {{1, 1, 8, 9}, 1.0}, {{1, 3, 6, 7}, 1.7}}) {
    const int64_t c_count = shape[1], h = shape[2], w = shape[3], wf = w / 2 + 1;
    auto param = make_fourier_param(decay);
    ImageRngs rngs = rngs_for(1, 0, 1);
    param->initialize(1, c_count, h, w, rngs);
    const std::span<float> theta = param->parameters();
    ASSERT_EQ(theta.size(), static_cast<size_t>(c_count * 2 * h * wf));
    const std::vector<double> values = normal_vector(theta.size(), 50, 3.0);
    std::copy(values.begin(), values.end(), theta.begin());

    const std::vector<double> fy = fftfreq(h);
    std::vector<double> pre;
    for (int64_t c = 0; c < c_count; ++c) {
      Spectrum s{std::vector<double>(static_cast<size_t>(h * wf)),
                 std::vector<double>(static_cast<size_t>(h * wf))};
      for (int64_t ky = 0; ky < h; ++ky)
        for (int64_t kx = 0; kx < wf; ++kx) {
          const double fx = static_cast<double>(kx) / static_cast<double>(w);  // rfftfreq
          const double f = std::hypot(fx, fy[static_cast<size_t>(ky)]);
          const double scale =
              std::sqrt(static_cast<double>(h * w)) /
              std::pow(std::max(f, 1.0 / static_cast<double>(std::max(h, w))), decay);
          const auto i = static_cast<size_t>(ky * wf + kx);
          s.real[i] = scale * values[static_cast<size_t>((2 * c) * h * wf) + i];
          s.imag[i] = scale * values[static_cast<size_t>((2 * c + 1) * h * wf) + i];
        }
      for (double v : naive_irfft2(s, h, w)) pre.push_back(v / 4.0);
    }
    expect_render_matches(*param, shape, pre);
  }
}

// Bilinear enlargement with half-pixel centres, edges clamped, computed directly in 2-D.
double bilinear_at(const std::vector<double>& level, int64_t h, int64_t w, int64_t y, int64_t x,
                   int64_t out_h, int64_t out_w) {
  auto source = [](int64_t i, int64_t in, int64_t out) {
    return std::clamp(
        (static_cast<double>(i) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5,
        0.0, static_cast<double>(in - 1));
  };
  const double sy = source(y, h, out_h), sx = source(x, w, out_w);
  const auto y0 = static_cast<int64_t>(sy), x0 = static_cast<int64_t>(sx);
  const int64_t y1 = std::min(y0 + 1, h - 1), x1 = std::min(x0 + 1, w - 1);
  const double fy = sy - static_cast<double>(y0), fx = sx - static_cast<double>(x0);
  auto at = [&](int64_t r, int64_t c) { return level[static_cast<size_t>(r * w + c)]; };
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
         fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
}

TEST(LaplacianParam, RenderIsWeightedSumOfEnlargedLevels) {
  for (const auto& [shape, levels] : std::vector<std::pair<Shape, int>>{
           {{1, 3, 13, 10}, 4}, {{1, 1, 8, 9}, 2}, {{1, 3, 5, 17}, 6}}) {
    const int64_t c_count = shape[1], h = shape[2], w = shape[3];
    auto param = make_laplacian_param(levels);
    ImageRngs rngs = rngs_for(1, 0, 1);
    param->initialize(1, c_count, h, w, rngs);
    const std::span<float> theta = param->parameters();
    const std::vector<double> values = normal_vector(theta.size(), 60, 2.0);
    std::copy(values.begin(), values.end(), theta.begin());

    std::vector<double> pre(static_cast<size_t>(c_count * h * w));
    size_t offset = 0;
    for (int n = 0; n < levels; ++n) {
      const int64_t lh = static_cast<int64_t>(std::ceil(static_cast<double>(h) / std::pow(2, n)));
      const int64_t lw = static_cast<int64_t>(std::ceil(static_cast<double>(w) / std::pow(2, n)));
      for (int64_t c = 0; c < c_count; ++c) {
        const std::vector<double> level(
            values.begin() + static_cast<std::ptrdiff_t>(offset),
            values.begin() + static_cast<std::ptrdiff_t>(offset + static_cast<size_t>(lh * lw)));
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x)
            pre[static_cast<size_t>((c * h + y) * w + x)] +=
                std::pow(0.5, n) * bilinear_at(level, lh, lw, y, x, h, w);
        offset += static_cast<size_t>(lh * lw);
      }
    }
    ASSERT_EQ(offset, theta.size());
    expect_render_matches(*param, shape, pre);
  }
}

// The 1/f start carries far less energy above half Nyquist than white noise (about 80%); with
// decay 0 (a flat spectrum) it is white noise itself, the control that this test can fail.
TEST(FourierParam, StartHasLittleHighFrequencyEnergy) {
  const Shape shape{1, 3, 224, 224};
  auto start_energy = [&](std::string_view spec) {
    Tensor image = render(*initialized(spec, shape), shape);
    image.reshape({3, 224, 224});
    return high_frequency_energy(image);
  };
  const double fourier = start_energy("fourier"), flat = start_energy("fourier:0");
  const double white = high_frequency_energy(random_image({3, 224, 224}, 70, 0.0f, 1.0f));
  std::cout << "high-frequency energy: fourier start " << fourier << ", flat-spectrum start "
            << flat << ", uniform noise " << white << "\n";
  EXPECT_GT(white, 0.7);
  EXPECT_GT(flat, 0.7);
  EXPECT_LT(fourier, 0.3 * white);
}

// At the sizes networks see, float32 transforms still give the photo back within 1e-3.
TEST(FourierParam, StartFromReproducesImageAtNetworkSize) {
  const Shape shape{1, 3, 224, 236};
  auto param = initialized("fourier", shape);
  const Tensor photo = random_image({3, 224, 236}, 80, 0.0f, 1.0f);
  param->start_from(0, photo);
  const Tensor back = render(*param, shape);
  float worst = 0;
  for (int64_t i = 0; i < photo.size(); ++i)
    worst = std::max(worst, std::abs(back[i] - std::clamp(photo[i], 1e-3f, 1.0f - 1e-3f)));
  EXPECT_LT(worst, 1e-3f);
}

// --- Names and specs ------------------------------------------------------------------------

TEST(MakeParam, NamesAndDefaults) {
  EXPECT_EQ(make_param("pixels")->name(), "pixels");
  EXPECT_EQ(make_param("fourier")->name(), "fourier (decay 1)");
  EXPECT_EQ(make_param("fourier:1.5")->name(), "fourier (decay 1.5)");
  EXPECT_EQ(make_param("laplacian")->name(), "laplacian (4 levels)");
  EXPECT_EQ(make_param("laplacian:6")->name(), "laplacian (6 levels)");
}

TEST(MakeParam, BadSpecsNameThemselvesAndTheValidOnes) {
  for (const std::string spec :
       {"", "pixel", "Fourier", "pixels:2", "fourier:", "fourier:abc", "fourier:1x", "fourier:-1",
        "fourier:nan", "laplacian:0", "laplacian:2.5", "laplacian:99", "laplacian:"}) {
    try {
      make_param(spec);
      ADD_FAILURE() << "no error for '" << spec << "'";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("'" + spec + "'"), std::string::npos) << message;
      EXPECT_NE(message.find("valid: pixels, fourier"), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

TEST(FourierParam, RejectsOtherChannelCounts) {
  ImageRngs rngs = rngs_for(1, 0, 1);
  EXPECT_THROW(make_param("fourier")->initialize(1, 2, 8, 8, rngs), Error);
  EXPECT_THROW(make_param("laplacian")->initialize(1, 4, 8, 8, rngs), Error);
}

}  // namespace
}  // namespace neuroscope
