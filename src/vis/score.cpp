#include "neuroscope/score.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>

#include "neuroscope/error.h"
#include "neuroscope/image.h"

namespace neuroscope {

ResponseMeter::ResponseMeter(const Model& model, const Preprocessing& preprocessing,
                             const std::string& tensor, int64_t size)
    : model_(model), pre_(preprocessing), tensor_(model.resolve_tensor(tensor)), size_(size) {}

Tensor ResponseMeter::responses(const Tensor& images) {
  if (images.rank() != 4 || (images.dim(1) != 3 && images.dim(1) != 1) || images.dim(2) != size_ ||
      images.dim(3) != size_)
    throw error("responses: expected images [N,3,", size_, ",", size_,
                "] (or grey [N,1,...]), got ", to_string(images.shape()));
  const int64_t n = images.dim(0);
  if (!net_ || batch_ != n) {
    const std::string input = model_.inputs().front().name;
    net_ = std::make_unique<Network>(
        model_,
        NetworkOptions{.input_shapes = {{input, {n, pre_.network_channels(), size_, size_}}},
                       .outputs = {tensor_},
                       .gradients = false});
    batch_ = n;
  }
  pre_.apply(images, net_->input());
  net_->forward();
  const Tensor& act = net_->output(tensor_);
  if (act.rank() < 2) throw error("responses: '", tensor_, "' has no channel axis");
  const int64_t channels = act.dim(1), positions = act.size() / (n * channels);
  Tensor out({n, channels});
  for (int64_t i = 0; i < n * channels; ++i) {
    double sum = 0;
    for (int64_t p = 0; p < positions; ++p) sum += act[i * positions + p];
    out[i] = static_cast<float>(sum / static_cast<double>(positions));
  }
  return out;
}

namespace {

// Stacks [C,H,W] images into one [N,C,H,W] batch.
Tensor stack(const std::vector<const Tensor*>& images) {
  const Shape& one = images.front()->shape();
  Shape shape = {static_cast<int64_t>(images.size())};
  shape.insert(shape.end(), one.begin(), one.end());
  Tensor batch(shape);
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i]->shape() != one)
      throw error("images to score differ in shape: ", to_string(images[i]->shape()), " vs ",
                  to_string(one));
    std::copy(images[i]->values().begin(), images[i]->values().end(),
              batch.data() + static_cast<int64_t>(i) * images[i]->size());
  }
  return batch;
}

}  // namespace

SpecificityReport score_images(const Model& model, const Preprocessing& pre,
                               const std::string& tensor,
                               const std::vector<std::pair<int64_t, Tensor>>& images,
                               const std::vector<Tensor>& photos) {
  if (images.empty()) throw error("score: no images");
  const Shape& shape = images.front().second.shape();
  if (shape.size() != 3 || shape[1] != shape[2])
    throw error("score: images must be square [C,H,W], got ", to_string(shape));
  std::vector<const Tensor*> list;
  for (const auto& [channel, image] : images) list.push_back(&image);
  ResponseMeter meter(model, pre, tensor, shape[1]);
  const Tensor own = meter.responses(stack(list));
  const int64_t channels = own.dim(1), n = static_cast<int64_t>(images.size());
  std::vector<Tensor> sized;
  std::vector<const Tensor*> photo_list;
  for (const Tensor& p : photos) {
    Tensor s = resize_bilinear(p, shape[1], shape[2]);
    sized.push_back(shape[0] == 1 ? to_grey(s) : std::move(s));
  }
  for (const Tensor& p : sized) photo_list.push_back(&p);
  const Tensor natural = photo_list.empty() ? Tensor() : meter.responses(stack(photo_list));

  SpecificityReport report;
  for (int64_t i = 0; i < n; ++i) {
    ScoredImage s;
    s.channel = images[static_cast<size_t>(i)].first;
    if (s.channel < 0 || s.channel >= channels)
      throw error("score: channel ", s.channel, " is out of range: '", tensor, "' has ", channels,
                  " channels");
    s.response = own[i * channels + s.channel];
    s.rank = 1;
    for (int64_t k = 0; k < channels; ++k) s.rank += own[i * channels + k] > s.response;
    for (int64_t j = 0; j < n; ++j)
      s.beats_others &= j == i || own[j * channels + s.channel] < s.response;
    if (!photo_list.empty()) {
      double mean = 0;
      for (int64_t p = 0; p < natural.dim(0); ++p) mean += natural[p * channels + s.channel];
      s.photo_mean = mean / static_cast<double>(natural.dim(0));
      s.photo_ratio = s.response / std::max(s.photo_mean, 1e-6);
    }
    s.high_frequency = high_frequency_energy(images[static_cast<size_t>(i)].second);
    report.top5 += s.rank <= 5;
    report.beats_others += s.beats_others;
    report.beats_photos += s.photo_ratio >= 10.0;
    report.mean_high_frequency += s.high_frequency / static_cast<double>(n);
    report.images.push_back(s);
  }
  return report;
}

Tensor load_square_image(const std::filesystem::path& path, int64_t size) {
  const Tensor photo = read_image(path);
  const int64_t h = photo.dim(1), w = photo.dim(2), side = std::min(h, w);
  const int64_t top = (h - side) / 2, left = (w - side) / 2;
  Tensor square({3, side, side});
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < side; ++y)
      std::copy_n(photo.data() + (c * h + top + y) * w + left, side,
                  square.data() + (c * side + y) * side);
  return resize_bilinear(square, size, size);
}

std::vector<std::filesystem::path> list_images(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw error("'", folder.string(), "' is not a folder");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (entry.is_regular_file() &&
        (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

double high_frequency_energy(const Tensor& image) {
  if (image.rank() != 3) throw error("spectrum: expected [C,H,W], got ", to_string(image.shape()));
  const int64_t channels = image.dim(0), h = image.dim(1), w = image.dim(2);
  // Separable DFT (rows then columns); sizes here are a few hundred pixels, O(n^3) is fine.
  auto dft_table = [](int64_t n) {
    std::vector<std::complex<double>> t(static_cast<size_t>(n * n));
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        t[static_cast<size_t>(k * n + j)] =
            std::polar(1.0, -2.0 * M_PI * static_cast<double>(k * j % n) / static_cast<double>(n));
    return t;
  };
  const auto row_table = dft_table(w), col_table = dft_table(h);
  double total = 0, high = 0;
  std::vector<std::complex<double>> rows(static_cast<size_t>(h * w));
  for (int64_t c = 0; c < channels; ++c) {
    const float* p = image.data() + c * h * w;
    double mean = 0;
    for (int64_t i = 0; i < h * w; ++i) mean += p[i];
    mean /= static_cast<double>(h * w);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t kx = 0; kx < w; ++kx) {
        std::complex<double> acc = 0;
        for (int64_t x = 0; x < w; ++x)
          acc += (p[y * w + x] - mean) * row_table[static_cast<size_t>(kx * w + x)];
        rows[static_cast<size_t>(y * w + kx)] = acc;
      }
    for (int64_t ky = 0; ky < h; ++ky)
      for (int64_t kx = 0; kx < w; ++kx) {
        std::complex<double> acc = 0;
        for (int64_t y = 0; y < h; ++y)
          acc += rows[static_cast<size_t>(y * w + kx)] * col_table[static_cast<size_t>(ky * h + y)];
        const double power = std::norm(acc);
        // Frequencies in cycles per pixel, folded to [0, 0.5].
        const double fy = static_cast<double>(std::min(ky, h - ky)) / static_cast<double>(h);
        const double fx = static_cast<double>(std::min(kx, w - kx)) / static_cast<double>(w);
        total += power;
        if (std::hypot(fx, fy) > 0.25) high += power;
      }
  }
  return total > 0 ? high / total : 0.0;
}

}  // namespace neuroscope
