// `neuroscope layers MODEL`: every run-time tensor with its op, shape and channel count, plus
// the model's inputs, outputs and metadata.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "neuroscope/model.h"

namespace neuroscope::cli {
namespace {

// Prints rows of cells with each column padded to its widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], row[c].size());
    }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

// The input shapes to list: --input-shape values, or each input's default.
std::map<std::string, Shape> listing_shapes(const Model& model, const Args& args) {
  std::map<std::string, Shape> shapes;
  for (const auto& [name, text] :
       assign_to_inputs(model, args.values("input-shape"), "--input-shape"))
    shapes[name] = parse_shape("--input-shape", text);
  for (const ModelInput& in : model.inputs()) {
    auto given = shapes.find(in.name);
    if (given == shapes.end())
      shapes[in.name] = model.default_input_shape(in.name);
    else
      check_fits_input(model, in, given->second, "--input-shape " + to_string(given->second));
  }
  return shapes;
}

void print_human(const Model& model, const std::map<std::string, Shape>& shapes,
                 const std::vector<TensorInfo>& tensors) {
  std::cout << "model     " << model.path().string() << " (ONNX opset " << model.opset() << ")\n";
  for (const ModelInput& in : model.inputs())
    std::cout << "input     " << in.name << " " << declared_shape(in)
              << (in.is_float ? "" : " (not float)") << ", listed at "
              << to_string(shapes.at(in.name)) << "\n";
  for (const std::string& out : model.outputs()) std::cout << "output    " << out << "\n";
  for (const auto& [key, value] : model.metadata())
    std::cout << "metadata  " << key << " = " << value << "\n";
  std::cout << "\n";
  std::vector<std::vector<std::string>> rows = {{"#", "tensor", "op", "shape", "channels"}};
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = tensors[i];
    rows.push_back({std::to_string(i), t.name, t.op, t.shape_known ? to_string(t.shape) : "?",
                    t.shape_known ? std::to_string(t.channels()) : "?"});
  }
  print_table(rows);
}

nlohmann::ordered_json to_json(const Model& model, const std::map<std::string, Shape>& shapes,
                               const std::vector<TensorInfo>& tensors) {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const ModelInput& in : model.inputs())
    inputs.push_back({{"name", in.name},
                      {"shape", declared_shape_json(in)},
                      {"dtype", in.is_float ? "float32" : "other"},
                      {"listed_shape", shapes.at(in.name)}});
  nlohmann::ordered_json metadata = nlohmann::ordered_json::array();
  for (const auto& [key, value] : model.metadata())
    metadata.push_back({{"key", key}, {"value", value}});
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const TensorInfo& t : tensors)
    list.push_back({{"name", t.name},
                    {"op", t.op},
                    {"node", t.node},
                    {"shape", t.shape_known ? nlohmann::ordered_json(t.shape) : nlohmann::ordered_json()},
                    {"channels", t.shape_known ? nlohmann::ordered_json(t.channels()) : nlohmann::ordered_json()}});
  return {{"model", model.path().string()}, {"opset", model.opset()}, {"inputs", inputs},
          {"outputs", model.outputs()},     {"metadata", metadata},   {"tensors", list}};
}

int run_layers(const Args& args) {
  const Model model = Model::load(args.positional(0));
  const std::map<std::string, Shape> shapes = listing_shapes(model, args);
  std::string shape_error;
  const std::vector<TensorInfo> tensors = model.tensors(shapes, &shape_error);
  if (args.has("json")) {
    nlohmann::ordered_json doc = to_json(model, shapes, tensors);
    if (!shape_error.empty()) doc["shape_error"] = shape_error;
    print_json(doc);
  } else {
    print_human(model, shapes, tensors);
    if (!shape_error.empty())
      std::cout << "\nshapes marked ? are unknown: at this input size " << shape_error << "\n";
  }
  return 0;
}

}  // namespace

extern const Command kLayersCommand{
    .spec = {.name = "layers",
             .summary = "List a model's tensors (op, shape, channels), inputs, outputs, metadata.",
             .positionals = {{"MODEL", "the ONNX model file"}},
             .flags = {{.name = "json", .help = "print one JSON document instead of a table"},
                       {.name = "input-shape",
                        .value = "[NAME=]N,C,H,W",
                        .help = "list shapes for this input size (default: the declared one)",
                        .repeated = true}},
             .details = "Tensor names are what every other command calls a layer; shapes are for\n"
                        "the listed input shape. Exit codes: 0 success, 1 bad model or file,\n"
                        "2 bad command line."},
    .run = run_layers};

}  // namespace neuroscope::cli
