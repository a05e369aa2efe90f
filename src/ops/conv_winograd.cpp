// Winograd's F(2x2, 3x3) for 3x3 convolutions (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015). Each 2x2 block of outputs (a tile) is computed from the 4x4 block of
// inputs around it: transformed (V = B^T d B), multiplied point by point with the transformed
// kernel (U = G g G^T) and summed over the input channels, which for each of the 16 points is a
// matrix product M = V U, then transformed back (Y = A^T M A). That is 16 multiplications per
// tile and channel pair where a direct convolution does 36: 2.25x fewer. F(2x2, 3x3) rather than
// oneDNN's F(4x4, 3x3): its transforms only add and subtract (B, A) or halve (G), so its results
// are as close to the exact ones as a direct convolution's, and its small tiles waste little at
// the 7x7 and 14x14 sizes of deep layers.
//
// The tiles are processed in blocks, one block per thread at a time, so that a block's
// transformed inputs and products stay in the caches from one phase to the next. The products
// use a register kernel of kRows tiles x 2 registers of output channels.
// GCC 12 warns inside its own avx512fintrin.h that the intrinsics below read an uninitialized
// value (GCC PR 105593, a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "ops/conv_winograd.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <utility>

#include "neuroscope/error.h"
#include "ops/simd.h"

namespace neuroscope::ops {
namespace {

constexpr int64_t kPoints = 16;  // points of a transformed 4x4 tile
// Tiles per block: a few register kernels' worth; fewer when that would leave a thread idle.
constexpr int64_t kTilesPerBlock = 48;

// Floats aligned to a cache line, so that the kernels' aligned loads and stores may be used.
class AlignedFloats {
 public:
  explicit AlignedFloats(size_t count) {
    const size_t bytes = std::max<size_t>((count * sizeof(float) + 63) / 64 * 64, 64);
    data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    if (!data_) throw std::bad_alloc();
  }
  float* get() const { return data_.get(); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float[], Free> data_;
};

struct TilePosition {
  int64_t image, ty, tx;
};

struct Geometry {
  int64_t images, inputs, outputs, height, width;
  int64_t tiles_y, tiles_x, tiles;
  int64_t block_tiles = 0, blocks = 0;
  // U packed [point][panel of 2 registers' outputs (the last maybe 1)][input][panel width].
  AlignedFloats u;

  TilePosition tile(int64_t t) const {
    return {t / (tiles_y * tiles_x), t / tiles_x % tiles_y, t % tiles_x};
  }
};

// U = G g G^T for every (output, input) pair, in double.
AlignedFloats transform_kernel(std::span<const float> w, int64_t inputs, int64_t outputs,
                               int64_t lanes) {
  static constexpr double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  AlignedFloats u(static_cast<size_t>(kPoints * outputs * inputs));
  for (int64_t o = 0; o < outputs; ++o) {
    const int64_t panel_first = o / (2 * lanes) * (2 * lanes);
    const int64_t panel_width = std::min(2 * lanes, outputs - panel_first);
    for (int64_t c = 0; c < inputs; ++c) {
      const float* g = w.data() + (o * inputs + c) * 9;
      double gg[4][3];  // G g
      for (int a = 0; a < 4; ++a)
        for (int j = 0; j < 3; ++j) {
          gg[a][j] = 0;
          for (int i = 0; i < 3; ++i) gg[a][j] += kG[a][i] * g[i * 3 + j];
        }
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
          double s = 0;
          for (int j = 0; j < 3; ++j) s += gg[a][j] * kG[b][j];
          const int64_t point = a * 4 + b;
          u.get()[point * inputs * outputs + panel_first * inputs + c * panel_width +
                  (o - panel_first)] = static_cast<float>(s);
        }
    }
  }
  return u;
}

// One run's tensors and options.
struct Run {
  const float* x;
  float* y;
  const float* bias;
  bool relu, accumulate;
};

using MultiplyRows = void (*)(const float*, int64_t, const float*, float*, int64_t);

// The kernels once per instruction set; kRows: the tiles of one register kernel.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl")
namespace avx512 {
struct Simd : Avx512Registers {
  static constexpr int kRows = 12;  // 24 accumulators of 32 registers
};
#include "ops/conv_winograd_kernels.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct Simd : Avx2Registers {
  static constexpr int kRows = 6;  // 12 accumulators of 16 registers
};
#include "ops/conv_winograd_kernels.inc"
}  // namespace avx2
#pragma GCC pop_options

using RunBlock = void (*)(const Geometry&, const Run&, int64_t, int64_t, float*);

}  // namespace

struct WinogradCorrelation::Impl {
  Geometry g;
  RunBlock run_block;
  int threads;
  // Per thread: a block's V [point][tile][input] and M [point][tile][output].
  size_t scratch_floats;
  AlignedFloats scratch;

  Impl(Geometry geometry, RunBlock kernel)
      : g(std::move(geometry)),
        run_block(kernel),
        threads(std::max(1, omp_get_max_threads())),
        scratch_floats(0),
        scratch(1) {
    // Whole rounds of blocks over the threads, each as near kTilesPerBlock tiles as that allows.
    const int64_t per_round = threads * kTilesPerBlock;
    const int64_t rounds = std::max<int64_t>(1, (g.tiles + per_round - 1) / per_round);
    const int64_t blocks = std::min(g.tiles, rounds * threads);
    g.block_tiles = (g.tiles + blocks - 1) / blocks;
    g.blocks = (g.tiles + g.block_tiles - 1) / g.block_tiles;
    scratch_floats =
        static_cast<size_t>((kPoints * g.block_tiles * (g.inputs + g.outputs) + 15) / 16 * 16);
    scratch = AlignedFloats(scratch_floats * static_cast<size_t>(threads));
  }
};

WinogradCorrelation::WinogradCorrelation(const Shape& shape, int64_t outputs,
                                         std::span<const float> weights, int64_t lanes) {
  NS_CHECK(shape.size() == 4 && supports(shape[1], outputs, lanes), "Winograd correlation of ",
           to_string(shape), " to ", outputs, " channels in blocks of ", lanes,
           " is not supported here");
  NS_CHECK(weights.size() == static_cast<size_t>(outputs * shape[1] * 9),
           "Winograd correlation: weights of the wrong size");
  const int64_t tiles_y = (shape[2] + 1) / 2, tiles_x = (shape[3] + 1) / 2;
  Geometry g{.images = shape[0],
             .inputs = shape[1],
             .outputs = outputs,
             .height = shape[2],
             .width = shape[3],
             .tiles_y = tiles_y,
             .tiles_x = tiles_x,
             .tiles = shape[0] * tiles_y * tiles_x,
             .u = transform_kernel(weights, shape[1], outputs, lanes)};
  impl_ = std::make_unique<Impl>(std::move(g),
                                 lanes == avx512::kLanes ? avx512::run_block : avx2::run_block);
}

WinogradCorrelation::~WinogradCorrelation() = default;

int64_t WinogradCorrelation::native_lanes() {
  return use_avx512_kernels() ? avx512::kLanes : use_avx2_kernels() ? avx2::kLanes : 0;
}

bool WinogradCorrelation::supports(int64_t inputs, int64_t outputs, int64_t lanes) {
  const bool runs = lanes == avx512::kLanes ? use_avx512_kernels()
                    : lanes == avx2::kLanes ? use_avx2_kernels()
                                            : false;
  return runs && inputs > 0 && outputs > 0 && inputs % lanes == 0 && outputs % lanes == 0;
}

void WinogradCorrelation::run(const float* x, float* y, const float* bias, bool relu,
                              bool accumulate) const {
  const Impl& impl = *impl_;
  const Geometry& g = impl.g;
  const Run r{x, y, bias, relu, accumulate};
  float* scratch = impl.scratch.get();
#pragma omp parallel for schedule(static) num_threads(impl.threads)
  for (int64_t block = 0; block < g.blocks; ++block) {
    const int64_t first = block * g.block_tiles;
    impl.run_block(g, r, first, std::min(g.block_tiles, g.tiles - first),
                   scratch + impl.scratch_floats * static_cast<size_t>(omp_get_thread_num()));
  }
}

}  // namespace neuroscope::ops
