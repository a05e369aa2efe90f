#include "neuroscope/preprocess.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "neuroscope/error.h"

namespace neuroscope {
namespace {

// ITU-R BT.601 luma: how a grayscale network sees an RGB image.
constexpr float kLuma[3] = {0.299f, 0.587f, 0.114f};

std::vector<float> parse_floats(const std::string& text, const std::string& what) {
  std::vector<float> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      values.push_back(std::stof(item, &used));
      if (item.find_first_not_of(" \t", used) != std::string::npos) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw error(what, ": '", text, "' is not a comma-separated list of numbers");
    }
  }
  if (values.empty()) throw error(what, ": empty value");
  return values;
}

std::vector<float> json_floats(const nlohmann::json& v, const std::string& what) {
  if (v.is_number()) return {v.get<float>()};
  if (v.is_string()) return parse_floats(v.get<std::string>(), what);
  if (v.is_array()) {
    std::vector<float> out;
    for (const auto& x : v) {
      if (!x.is_number()) throw error(what, ": expected numbers");
      out.push_back(x.get<float>());
    }
    return out;
  }
  throw error(what, ": expected a number, a list of numbers or a comma-separated string");
}

// Applies key/value settings (metadata_props strings or JSON values) to `p`.
void apply_setting(Preprocessing& p, const std::string& key, const nlohmann::json& value,
                   const std::string& where) {
  const std::string what = where + " " + key;
  auto as_text = [&] { return value.is_string() ? value.get<std::string>() : value.dump(); };
  if (key == "input_color_order")
    p.color_order = parse_color_order(as_text());
  else if (key == "input_scale")
    p.scale = json_floats(value, what).at(0);
  else if (key == "input_mean")
    p.mean = json_floats(value, what);
  else if (key == "input_std")
    p.std = json_floats(value, what);
  else if (key == "default_size")
    p.default_size = static_cast<int64_t>(json_floats(value, what).at(0));
}

void validate(Preprocessing& p) {
  const auto channels = static_cast<size_t>(p.network_channels());
  auto fit = [&](std::vector<float>& v, const char* name) {
    if (v.size() == 1) v.assign(channels, v[0]);
    if (v.size() != channels)
      throw error("preprocessing (", p.source, "): ", name, " has ", v.size(), " values but the ",
                  color_order_name(p.color_order), " input has ", channels, " channels");
  };
  fit(p.mean, "input_mean");
  fit(p.std, "input_std");
  for (float s : p.std)
    if (s == 0.0f) throw error("preprocessing (", p.source, "): input_std contains 0");
  if (p.default_size <= 0)
    throw error("preprocessing (", p.source, "): default_size must be positive");
}

}  // namespace

ColorOrder parse_color_order(const std::string& text) {
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "RGB") return ColorOrder::kRGB;
  if (upper == "BGR") return ColorOrder::kBGR;
  if (upper == "GRAY" || upper == "GREY" || upper == "L") return ColorOrder::kGray;
  throw error("colour order '", text, "' is not one of RGB, BGR, GRAY");
}

const char* color_order_name(ColorOrder order) {
  switch (order) {
    case ColorOrder::kRGB:
      return "RGB";
    case ColorOrder::kBGR:
      return "BGR";
    case ColorOrder::kGray:
      return "GRAY";
  }
  return "?";
}

Preprocessing resolve_preprocessing(const Model& model, const PreprocessingOverrides& overrides) {
  Preprocessing p;
  std::vector<std::string> sources;
  bool from_metadata = false;
  for (const auto& [key, value] : model.metadata())
    if (key.rfind("input_", 0) == 0 || key == "default_size") {
      apply_setting(p, key, nlohmann::json(value), "metadata");
      from_metadata = true;
    }
  if (from_metadata) sources.emplace_back("model metadata");

  std::filesystem::path sidecar = model.path();
  sidecar.replace_extension(".json");
  std::error_code ec;
  if (std::filesystem::is_regular_file(sidecar, ec)) {
    std::ifstream in(sidecar);
    nlohmann::json doc;
    try {
      in >> doc;
    } catch (const std::exception& e) {
      throw error("'", sidecar.string(), "' is not valid JSON: ", e.what());
    }
    if (!doc.is_object()) throw error("'", sidecar.string(), "' must hold a JSON object");
    for (const auto& [key, value] : doc.items()) apply_setting(p, key, value, sidecar.string());
    sources.push_back(sidecar.filename().string());
  }
  if (overrides.color_order) p.color_order = *overrides.color_order;
  if (overrides.scale) p.scale = *overrides.scale;
  if (overrides.mean) p.mean = *overrides.mean;
  if (overrides.std) p.std = *overrides.std;
  if (overrides.default_size) p.default_size = *overrides.default_size;
  if (overrides.color_order || overrides.scale || overrides.mean || overrides.std ||
      overrides.default_size)
    sources.emplace_back("flags");
  if (!sources.empty()) {
    p.source.clear();
    for (const std::string& s : sources) p.source += (p.source.empty() ? "" : " + ") + s;
  }
  // A grayscale model with ImageNet's 3-channel defaults: take the first channel's values.
  if (p.color_order == ColorOrder::kGray && p.mean.size() == 3 && !from_metadata &&
      sources.empty()) {
    p.mean.resize(1);
    p.std.resize(1);
  }
  validate(p);
  return p;
}

float Preprocessing::mixing(int64_t net_channel, int64_t image_channel,
                            int64_t image_channels) const {
  if (color_order == ColorOrder::kGray) return image_channels == 1 ? 1.0f : kLuma[image_channel];
  if (image_channels == 1) return 1.0f;  // a grey image shown to a colour network
  const int64_t from = color_order == ColorOrder::kBGR ? 2 - net_channel : net_channel;
  return image_channel == from ? 1.0f : 0.0f;
}

void Preprocessing::apply(const Tensor& image, Tensor& input) const {
  NS_CHECK(image.rank() == 4 && (image.dim(1) == 3 || image.dim(1) == 1), to_string(image.shape()));
  NS_CHECK(input.rank() == 4 && input.dim(0) == image.dim(0) &&
               input.dim(1) == network_channels() && input.dim(2) == image.dim(2) &&
               input.dim(3) == image.dim(3),
           to_string(image.shape()), " -> ", to_string(input.shape()));
  const int64_t n = image.dim(0), ci = image.dim(1), plane = image.dim(2) * image.dim(3);
  const int64_t channels = network_channels();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; ++b)
    for (int64_t c = 0; c < channels; ++c) {
      float* out = input.data() + (b * channels + c) * plane;
      const float m = mean[static_cast<size_t>(c)], k = scale / std[static_cast<size_t>(c)];
      std::fill(out, out + plane, -m / std[static_cast<size_t>(c)]);
      for (int64_t j = 0; j < ci; ++j) {
        const float w = mixing(c, j, ci) * k;
        if (w == 0.0f) continue;
        const float* in = image.data() + (b * ci + j) * plane;
        for (int64_t i = 0; i < plane; ++i) out[i] += w * in[i];
      }
    }
}

void Preprocessing::backward(const Tensor& input_gradient, Tensor& image_gradient) const {
  const int64_t n = image_gradient.dim(0), ci = image_gradient.dim(1);
  const int64_t plane = image_gradient.dim(2) * image_gradient.dim(3),
                channels = network_channels();
  // Image plane by image plane: the first network channel feeding it writes, later ones add
  // (one pass per plane for colour networks, no clearing).
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = 0; j < ci; ++j) {
      float* out = image_gradient.data() + (b * ci + j) * plane;
      bool written = false;
      for (int64_t c = 0; c < channels; ++c) {
        const float w = mixing(c, j, ci) * (scale / std[static_cast<size_t>(c)]);
        if (w == 0.0f) continue;
        const float* g = input_gradient.data() + (b * channels + c) * plane;
        if (written)
          for (int64_t i = 0; i < plane; ++i) out[i] += w * g[i];
        else
          for (int64_t i = 0; i < plane; ++i) out[i] = w * g[i];
        written = true;
      }
      if (!written) std::fill(out, out + plane, 0.0f);
    }
}

std::string Preprocessing::describe() const {
  std::ostringstream out;
  out << color_order_name(color_order) << ", scale " << scale << ", mean [";
  for (size_t i = 0; i < mean.size(); ++i) out << (i ? "," : "") << mean[i];
  out << "], std [";
  for (size_t i = 0; i < std.size(); ++i) out << (i ? "," : "") << std[i];
  out << "], size " << default_size << " (from " << source << ")";
  return out.str();
}

std::vector<std::string> load_labels(const Model& model) {
  std::filesystem::path own = model.path();
  own.replace_extension(".labels.txt");
  const std::filesystem::path shared = model.path().parent_path() / "labels.txt";
  for (const auto& path : {own, shared}) {
    std::ifstream in(path);
    if (!in) continue;
    std::vector<std::string> labels;
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      labels.push_back(line);
    }
    return labels;
  }
  return {};
}

}  // namespace neuroscope
