// Image transformations (transform.h): exact adjoints, forward against float64 references,
// determinism, Lucid's shapes and the text spec.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <new>
#include <numbers>
#include <random>
#include <set>

#include "neuroscope/error.h"
#include "neuroscope/transform.h"

// Counts heap allocations so that a test can check the steady state allocates nothing. Kept
// out of line: inlined, GCC pairs a new-expression with the free() inside and warns.
namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace neuroscope {
namespace {

using Factory = std::function<std::unique_ptr<Transform>()>;

ImageRngs make_rngs(int64_t count, uint64_t seed) {
  ImageRngs rngs;
  for (int64_t b = 0; b < count; ++b) rngs.emplace_back(seed * 1000 + static_cast<uint64_t>(b));
  return rngs;
}

Tensor random_tensor(const Shape& shape, uint64_t seed, float low = 0.0f, float high = 1.0f) {
  Tensor t(shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> value(low, high);
  for (float& v : t.values()) v = value(rng);
  return t;
}

TransformChain chain_of(const Factory& make) {
  TransformChain chain;
  chain.add(make());
  return chain;
}

// <T x - T 0, y> == <x, T^T y>: backward is the adjoint of forward's linear part (pad and the
// resampling add a constant outside the image). Several steps, each with new random draws.
void expect_adjoint(TransformChain chain, const Shape& input, uint64_t seed) {
  SCOPED_TRACE("chain " + chain.describe() + " on " + to_string(input));
  const Shape output = chain.prepare(input);
  ImageRngs rngs = make_rngs(input[0], seed);
  const Tensor zeros(input);
  Tensor d_input(input);
  for (int step = 0; step < 4; ++step) {
    const Tensor x = random_tensor(input, seed + 10 * static_cast<uint64_t>(step), -1.0f, 1.0f);
    const Tensor y =
        random_tensor(output, seed + 10 * static_cast<uint64_t>(step) + 1, -1.0f, 1.0f);
    chain.sample(rngs);
    const Tensor offset = chain.forward(zeros);
    const Tensor tx = chain.forward(x);
    chain.backward(y, d_input);
    double lhs = 0, rhs = 0, scale = 0;
    for (int64_t i = 0; i < tx.size(); ++i) {
      const double linear = static_cast<double>(tx[i]) - offset[i];
      lhs += linear * y[i];
      scale += std::abs(linear * y[i]);
    }
    for (int64_t i = 0; i < x.size(); ++i) rhs += static_cast<double>(x[i]) * d_input[i];
    ASSERT_GT(scale, 1.0);
    EXPECT_NEAR(lhs, rhs, 1e-5 * scale) << "step " << step;
  }
}

const std::vector<Shape> kOddShapes = {{2, 3, 13, 11}, {1, 1, 9, 16}, {3, 3, 7, 7}};

const std::vector<std::pair<const char*, Factory>> kTransforms = {
    {"pad", [] { return make_pad(3, 0.5f); }},
    {"pad0", [] { return make_pad(0, 0.25f); }},
    {"crop jitter", [] { return make_jitter(4, JitterMode::kCrop); }},
    {"wrap jitter", [] { return make_jitter(5, JitterMode::kWrap); }},
    {"scale",
     [] {
       return make_random_scale({0.6, 0.9, 1.0, 1.1, 1.37, 2.5});
     }},
    {"rotate",
     [] {
       return make_random_rotate({-10, -3, 0, 7.5, 33, 90, 180});
     }},
};

TEST(Transforms, BackwardIsTheExactAdjoint) {
  uint64_t seed = 1;
  for (const auto& [name, make] : kTransforms)
    for (const Shape& shape : kOddShapes) {
      SCOPED_TRACE(name);
      expect_adjoint(chain_of(make), shape, seed++);
    }
}

TEST(Transforms, LucidChainBackwardIsTheExactAdjoint) {
  uint64_t seed = 100;
  for (const Shape& shape : kOddShapes) expect_adjoint(parse_transforms("lucid"), shape, seed++);
  expect_adjoint(parse_transforms("pad:2:0.3,rotate:45/-20,scale:0.7/1.3,roll:3,jitter:2"),
                 {2, 3, 13, 11}, seed++);
}

// Applies a one-transform chain with a single choice (so nothing random) to `in`.
Tensor apply(const Factory& make, const Tensor& in) {
  TransformChain chain = chain_of(make);
  chain.prepare(in.shape());
  ImageRngs rngs = make_rngs(in.dim(0), 7);
  chain.sample(rngs);
  return chain.forward(in);
}

// float64 bilinear interpolation as a sum of tent functions over every source pixel, 0.5 for
// the share of the tent mass that falls outside the image.
double reference_sample(const Tensor& in, int64_t b, int64_t k, double sy, double sx) {
  const int64_t h = in.dim(2), w = in.dim(3);
  double value = 0, inside = 0;
  for (int64_t py = 0; py < h; ++py)
    for (int64_t px = 0; px < w; ++px) {
      const double weight = std::max(0.0, 1 - std::abs(sy - static_cast<double>(py))) *
                            std::max(0.0, 1 - std::abs(sx - static_cast<double>(px)));
      value += weight * in[((b * in.dim(1) + k) * h + py) * w + px];
      inside += weight;
    }
  return value + 0.5 * (1 - inside);
}

// The expected image when output pixel (x, y) shows the source point `source(u, v)` (offsets
// from the centre, y down).
Tensor reference_resample(const Tensor& in,
                          const std::function<std::pair<double, double>(double, double)>& source) {
  Tensor out(in.shape());
  const int64_t h = in.dim(2), w = in.dim(3);
  const double cy = (static_cast<double>(h) - 1) / 2, cx = (static_cast<double>(w) - 1) / 2;
  for (int64_t b = 0; b < in.dim(0); ++b)
    for (int64_t k = 0; k < in.dim(1); ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const auto [su, sv] = source(static_cast<double>(x) - cx, static_cast<double>(y) - cy);
          out[((b * in.dim(1) + k) * h + y) * w + x] =
              static_cast<float>(reference_sample(in, b, k, cy + sv, cx + su));
        }
  return out;
}

void expect_close(const Tensor& actual, const Tensor& expected, double tolerance) {
  ASSERT_EQ(actual.shape(), expected.shape());
  for (int64_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], tolerance) << "at element " << i;
}

TEST(Transforms, ScaleMatchesFloat64Reference) {
  for (const Shape& shape : kOddShapes) {
    const Tensor in = random_tensor(shape, 3);
    for (double f : {0.6, 0.9, 1.1, 1.37, 3.0}) {
      SCOPED_TRACE("factor " + std::to_string(f) + " on " + to_string(shape));
      // Enlarging by f: the output point at distance d from the centre shows the source at d/f.
      expect_close(apply([f] { return make_random_scale({f}); }, in),
                   reference_resample(in,
                                      [f](double u, double v) {
                                        return std::pair{u / f, v / f};
                                      }),
                   1e-5);
    }
  }
}

TEST(Transforms, RotateMatchesFloat64Reference) {
  for (const Shape& shape : kOddShapes) {
    const Tensor in = random_tensor(shape, 4);
    for (double degrees : {-10.0, 7.0, 33.0, 135.0}) {
      SCOPED_TRACE("angle " + std::to_string(degrees) + " on " + to_string(shape));
      // Counter-clockwise on screen is counter-clockwise in maths axes (x right, Y = -y up); the
      // output point P shows the source point P turned back by the angle.
      const double a = degrees * std::numbers::pi / 180;
      const auto source = [a](double u, double v) {
        const double big_y = -v;
        const double su = u * std::cos(-a) - big_y * std::sin(-a);
        const double s_big_y = u * std::sin(-a) + big_y * std::cos(-a);
        return std::pair{su, -s_big_y};
      };
      expect_close(apply([degrees] { return make_random_rotate({degrees}); }, in),
                   reference_resample(in, source), 1e-5);
    }
  }
}

TEST(Transforms, ScaleOneAndRotateZeroAreExactIdentities) {
  for (const Shape& shape : kOddShapes) {
    const Tensor in = random_tensor(shape, 5);
    const Tensor scaled = apply([] { return make_random_scale({1.0}); }, in);
    const Tensor turned = apply([] { return make_random_rotate({0.0}); }, in);
    for (int64_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(scaled[i], in[i]);
      ASSERT_EQ(turned[i], in[i]);
    }
  }
}

TEST(Transforms, QuarterAndHalfTurnsMoveWholePixels) {
  const int64_t n = 9;
  const Tensor square = random_tensor({1, 2, n, n}, 6);
  const Tensor quarter = apply([] { return make_random_rotate({90}); }, square);
  // A quarter turn counter-clockwise: the top-right corner goes to the top-left, so the
  // output's row y, column x shows the input's row x, column n-1-y.
  for (int64_t k = 0; k < 2; ++k)
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x)
        ASSERT_NEAR(quarter[(k * n + y) * n + x], square[(k * n + x) * n + (n - 1 - y)], 1e-6)
            << "k " << k << " y " << y << " x " << x;

  const int64_t h = 7, w = 12;  // half turns stay on the grid for any size
  const Tensor wide = random_tensor({1, 1, h, w}, 7);
  const Tensor half = apply([] { return make_random_rotate({180}); }, wide);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      ASSERT_NEAR(half[y * w + x], wide[(h - 1 - y) * w + (w - 1 - x)], 1e-6);
}

TEST(Transforms, HalvingPicksEveryOtherPixelOnGrey) {
  const int64_t h = 9, w = 11, cy = 4, cx = 5;
  const Tensor in = random_tensor({1, 1, h, w}, 8);
  const Tensor out = apply([] { return make_random_scale({0.5}); }, in);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const int64_t sy = cy + 2 * (y - cy), sx = cx + 2 * (x - cx);
      const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      ASSERT_NEAR(out[y * w + x], inside ? in[sy * w + sx] : 0.5f, 1e-6) << y << "," << x;
    }
}

TEST(Transforms, PadSurroundsWithTheValueAndCropsBack) {
  const Tensor in = random_tensor({2, 3, 5, 4}, 9);
  const Tensor out = apply([] { return make_pad(2, 0.25f); }, in);
  ASSERT_EQ(out.shape(), (Shape{2, 3, 9, 8}));
  for (int64_t p = 0; p < 6; ++p)
    for (int64_t y = 0; y < 9; ++y)
      for (int64_t x = 0; x < 8; ++x) {
        const bool inside = y >= 2 && y < 7 && x >= 2 && x < 6;
        ASSERT_EQ(out[(p * 9 + y) * 8 + x], inside ? in[(p * 5 + y - 2) * 4 + x - 2] : 0.25f);
      }
}

// Lucid's jitter(d): a crop to [H-d, W-d] at offsets drawn from 0..d on each axis.
TEST(Transforms, CropJitterIsLucidsRandomCrop) {
  const int64_t h = 10, w = 13, d = 3;
  Tensor index({1, 1, h, w});
  for (int64_t i = 0; i < index.size(); ++i) index[i] = static_cast<float>(i);
  TransformChain chain;
  chain.add(make_jitter(d, JitterMode::kCrop));
  ASSERT_EQ(chain.prepare(index.shape()), (Shape{1, 1, h - d, w - d}));
  ImageRngs rngs = make_rngs(1, 11);
  std::set<int64_t> seen_y, seen_x;
  for (int step = 0; step < 200; ++step) {
    chain.sample(rngs);
    const Tensor& out = chain.forward(index);
    const auto first = static_cast<int64_t>(out[0]);
    const int64_t oy = first / w, ox = first % w;
    ASSERT_LE(oy, d);
    ASSERT_LE(ox, d);
    for (int64_t y = 0; y < h - d; ++y)
      for (int64_t x = 0; x < w - d; ++x)
        ASSERT_EQ(out[y * (w - d) + x], index[(y + oy) * w + x + ox]);
    seen_y.insert(oy);
    seen_x.insert(ox);
  }
  EXPECT_EQ(seen_y, (std::set<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(seen_x, (std::set<int64_t>{0, 1, 2, 3}));
}

// The reference recipe's jitter: a roll by (dy, dx), each drawn in turn from -amount..amount
// with the image's generator. Pinned so that the reference renders stay the same.
TEST(Transforms, WrapJitterIsTheReferenceRoll) {
  const int64_t h = 9, w = 7, amount = 8;
  const Tensor in = random_tensor({2, 3, h, w}, 12);
  TransformChain chain;
  chain.add(make_jitter(amount, JitterMode::kWrap));
  ASSERT_EQ(chain.prepare(in.shape()), in.shape());
  ImageRngs rngs = make_rngs(2, 13), expected_rngs = rngs;
  for (int step = 0; step < 5; ++step) {
    chain.sample(rngs);
    const Tensor& out = chain.forward(in);
    for (int64_t b = 0; b < 2; ++b) {
      std::uniform_int_distribution<int64_t> shift(-amount, amount);
      const int64_t dy = shift(expected_rngs[static_cast<size_t>(b)]);
      const int64_t dx = shift(expected_rngs[static_cast<size_t>(b)]);
      for (int64_t k = 0; k < 3; ++k)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x) {
            const int64_t sy = ((y - dy) % h + h) % h, sx = ((x - dx) % w + w) % w;
            ASSERT_EQ(out[((b * 3 + k) * h + y) * w + x], in[((b * 3 + k) * h + sy) * w + sx]);
          }
    }
  }
}

TEST(Transforms, LucidChainGivesTheSizeTheNetworkIsCompiledFor) {
  TransformChain lucid = parse_transforms("lucid");
  // 224 + 2*12 (pad) - 8 (jitter) - 4 (jitter) = 236; scale and rotate keep the size.
  EXPECT_EQ(lucid.prepare({4, 3, 224, 224}), (Shape{4, 3, 236, 236}));
  EXPECT_EQ(lucid.prepare({1, 1, 9, 16}), (Shape{1, 1, 21, 28}));
  EXPECT_EQ(
      lucid.describe(),
      "pad 12 (0.5), jitter 8 (crop), scale 0.9..1.1 step 0.02, rotate -10..10 step 1 deg (26 "
      "choices, repeats weigh more), jitter 4 (crop)");
}

// Same generators, same images: across fresh chains, and for an image alone or in a batch.
TEST(Transforms, LucidChainIsDeterministicPerImage) {
  const Shape batch_shape{3, 3, 15, 14}, one_shape{1, 3, 15, 14};
  TransformChain first = parse_transforms("lucid"), second = parse_transforms("lucid"),
                 single = parse_transforms("lucid");
  const Shape seen_shape = first.prepare(batch_shape);
  ASSERT_EQ(seen_shape, (Shape{3, 3, 27, 26}));
  second.prepare(batch_shape);
  single.prepare(one_shape);
  const Tensor batch = random_tensor(batch_shape, 14);
  const Tensor grad = random_tensor(seen_shape, 15, -1.0f, 1.0f);
  const int64_t plane_in = 3 * 15 * 14, plane_out = 3 * 27 * 26;
  Tensor alone(one_shape), alone_grad({1, 3, 27, 26});
  std::copy(batch.data() + plane_in, batch.data() + 2 * plane_in, alone.data());
  std::copy(grad.data() + plane_out, grad.data() + 2 * plane_out, alone_grad.data());

  ImageRngs rngs_a = make_rngs(3, 16), rngs_b = rngs_a, rngs_one{rngs_a[1]};
  Tensor d_a(batch_shape), d_b(batch_shape), d_one(one_shape);
  for (int step = 0; step < 6; ++step) {
    first.sample(rngs_a);
    second.sample(rngs_b);
    single.sample(rngs_one);
    const Tensor& a = first.forward(batch);
    const Tensor& b = second.forward(batch);
    const Tensor& one = single.forward(alone);
    first.backward(grad, d_a);
    second.backward(grad, d_b);
    single.backward(alone_grad, d_one);
    for (int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "step " << step;
    for (int64_t i = 0; i < d_a.size(); ++i) ASSERT_EQ(d_a[i], d_b[i]) << "step " << step;
    for (int64_t i = 0; i < plane_out; ++i) ASSERT_EQ(one[i], a[plane_out + i]) << "step " << step;
    for (int64_t i = 0; i < plane_in; ++i)
      ASSERT_EQ(d_one[i], d_a[plane_in + i]) << "step " << step;
  }
}

TEST(Transforms, StepsAfterTheFirstAllocateNothing) {
  TransformChain chain = parse_transforms("lucid,roll:3");
  const Shape shape{2, 3, 31, 29};
  const Tensor images = random_tensor(shape, 17);
  const Tensor d_seen = random_tensor(chain.prepare(shape), 18);
  Tensor d_images(shape);
  ImageRngs rngs = make_rngs(2, 19);
  const auto step = [&] {
    chain.sample(rngs);
    chain.forward(images);
    chain.backward(d_seen, d_images);
  };
  const int64_t at_start = g_allocations.load();
  step();
  const int64_t before = g_allocations.load();
  EXPECT_GT(before, at_start) << "the counter sees no allocation at all: the check is blind";
  for (int i = 0; i < 3; ++i) step();
  EXPECT_EQ(g_allocations.load(), before);
}

TEST(Transforms, ParseBuildsEachPiece) {
  EXPECT_EQ(parse_transforms("none").describe(), "none");
  EXPECT_TRUE(parse_transforms("none").empty());
  EXPECT_EQ(parse_transforms("reference").describe(), "jitter 8 (wrap)");
  EXPECT_EQ(parse_transforms(" pad:4 , pad:2:0.25,jitter:3,roll:2").describe(),
            "pad 4 (0.5), pad 2 (0.25), jitter 3 (crop), jitter 2 (wrap)");
  EXPECT_EQ(parse_transforms("scale:0.9:1.1:0.02").describe(), "scale 0.9..1.1 step 0.02");
  EXPECT_EQ(parse_transforms("scale:0.8/1.25").describe(), "scale 0.8/1.25");
  EXPECT_EQ(parse_transforms("rotate:5").describe(), "rotate -5..5 step 1 deg");
  EXPECT_EQ(parse_transforms("rotate:-30/45").describe(), "rotate -30/45 deg");
  EXPECT_EQ(parse_transforms("roll:1,lucid").prepare({1, 3, 50, 40}), (Shape{1, 3, 62, 52}));
  EXPECT_EQ(parse_transforms("pad:3,jitter:5").prepare({1, 1, 10, 20}), (Shape{1, 1, 11, 21}));
}

TEST(Transforms, ParseErrorsNameTheItemAndTheValidForms) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty transform list"},
      {"pad", "transform 'pad': missing a value"},
      {"pad:-1", "transform 'pad:-1': '-1' is not a whole number"},
      {"pad:4:grey", "transform 'pad:4:grey': 'grey' is not a number"},
      {"pad:1:2:3", "transform 'pad:1:2:3': too many"},
      {"jitter:1.5", "transform 'jitter:1.5': '1.5' is not a whole number"},
      {"roll:", "transform 'roll:': '' is not a whole number"},
      {"scale:0.9:1.1", "transform 'scale:0.9:1.1': give MIN:MAX:STEP"},
      {"scale:1.1:0.9:0.02", "transform 'scale:1.1:0.9:0.02': needs MIN <= MAX"},
      {"scale:0/1", "transform 'scale:0/1': scale factor 0 is not positive"},
      {"scale:1//2", "transform 'scale:1//2': '' is not a number"},
      {"rotate:ten", "transform 'rotate:ten': 'ten' is not a whole number"},
      {"rotate:400", "transform 'rotate:400': MAXDEG must be at most 180"},
      {"blur:3", "transform 'blur:3': unknown transform 'blur'"},
      {"lucid:2", "transform 'lucid:2': too many"},
      {"pad:2,,jitter:1", "has an empty item"},
  };
  for (const auto& [spec, message] : bad) {
    try {
      parse_transforms(spec);
      ADD_FAILURE() << "no error for '" << spec << "'";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(message), std::string::npos) << what;
      EXPECT_NE(what.find("valid forms: pad:N[:VALUE], jitter:N, roll:N, scale:MIN:MAX:STEP"),
                std::string::npos)
          << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Transforms, FactoriesRejectBadArguments) {
  EXPECT_THROW(make_pad(-1, 0.5f), Error);
  EXPECT_THROW(make_pad(1, std::nanf("")), Error);
  EXPECT_THROW(make_jitter(-2, JitterMode::kCrop), Error);
  EXPECT_THROW(make_random_scale({}), Error);
  EXPECT_THROW(make_random_scale({1.0, -0.5}), Error);
  EXPECT_THROW(make_random_rotate({}), Error);
  EXPECT_THROW(make_random_rotate({INFINITY}), Error);
  TransformChain crop;
  crop.add(make_jitter(8, JitterMode::kCrop));
  EXPECT_THROW(crop.prepare({1, 3, 8, 100}), Error);
}

}  // namespace
}  // namespace neuroscope
