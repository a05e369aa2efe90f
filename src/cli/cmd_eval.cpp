// `neuroscope eval MODEL --input X.npy`: runs the network on a given input; saves tensors,
// evaluates an objective and its input gradient, or summarizes the outputs (top-5 classes).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <numeric>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/npy.h"
#include "neuroscope/objective.h"
#include "neuroscope/preprocess.h"

namespace neuroscope::cli {
namespace {

constexpr size_t kTopClasses = 5;

struct SaveRequest {
  std::string tensor;
  std::filesystem::path file;
};

struct InputFile {
  std::string name;
  std::filesystem::path file;
  Tensor value;
};

std::vector<SaveRequest> parse_saves(const Args& args) {
  std::vector<SaveRequest> saves;
  for (const std::string& text : args.values("save")) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
      throw usage_error("--save '", text, "': expected TENSOR=FILE.npy");
    saves.push_back({text.substr(0, equals), text.substr(equals + 1)});
  }
  return saves;
}

// The --objective text, its syntax checked (UsageError); the model resolves its names later.
std::optional<std::string> objective_flag(const Args& args) {
  auto text = args.value("objective");
  if (!text) return std::nullopt;
  check_objective_flag(*text);
  return text;
}

std::optional<Objective> build_objective(const Model& model,
                                         const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  Objective objective = parse_objective(*text, ObjectiveContext::for_model(model));
  if (objective.reads_image())
    throw usage_error("--objective '", *text,
                      "': tv and l1 apply to rendered images; 'eval' has only the network input");
  return objective;
}

Tensor read_input_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw error("--input: '", file.string(), "' does not exist");
  try {
    return read_npy(file);
  } catch (const Error& e) {
    throw error("--input: ", e.what());
  }
}

std::vector<InputFile> read_inputs(const Model& model, const Args& args) {
  if (!args.has("input")) throw usage_error("'eval' needs --input X.npy (the network input)");
  const auto assigned = assign_to_inputs(model, args.values("input"), "--input");
  std::vector<InputFile> inputs;
  for (const ModelInput& in : model.inputs()) {
    auto it = assigned.find(in.name);
    if (it == assigned.end())
      throw usage_error("no --input for model input '", in.name, "' (write --input ", in.name,
                        "=FILE.npy)");
    Tensor value = read_input_file(it->second);
    const std::string what =
        "--input '" + it->second + "' (shape " + to_string(value.shape()) + ")";
    if (value.empty()) throw error(what, " holds no values");
    check_fits_input(model, in, value.shape(), what);
    inputs.push_back({in.name, it->second, std::move(value)});
  }
  return inputs;
}

// The tensors to compile: saved and objective tensors, or the model outputs when neither.
std::vector<std::string> requested_tensors(const Model& model,
                                           const std::vector<SaveRequest>& saves,
                                           const std::optional<Objective>& objective) {
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    model.resolve_tensor(name);  // Error suggesting the closest names
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const SaveRequest& s : saves) add(s.tensor);
  if (objective)
    for (const std::string& name : objective->tensors()) add(name);
  if (names.empty())
    for (const std::string& name : model.outputs()) add(name);
  return names;
}

// Scores of one image of a classifier-like output ([N, K] or [N, K, 1, 1]); empty otherwise.
std::vector<float> class_scores(const Tensor& t, int64_t image) {
  const Shape& s = t.shape();
  const bool classifier = s.size() >= 2 && s[1] > 1 &&
                          std::all_of(s.begin() + 2, s.end(), [](int64_t d) { return d == 1; });
  if (!classifier) return {};
  const auto first = t.values().begin() + image * s[1];
  return std::vector<float>(first, first + s[1]);
}

nlohmann::ordered_json summarize_output(const std::string& name, const Tensor& t,
                                        const std::vector<std::string>& labels) {
  const auto values = t.values();
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  nlohmann::ordered_json out = {{"name", name},
                                {"shape", t.shape()},
                                {"min", *low},
                                {"max", *high},
                                {"mean", sum / static_cast<double>(values.size())}};
  if (class_scores(t, 0).empty()) return out;
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (int64_t image = 0; image < t.dim(0); ++image) {
    const std::vector<float> scores = class_scores(t, image);
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t k = std::min(kTopClasses, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    nlohmann::ordered_json best = nlohmann::ordered_json::array();
    for (size_t i = 0; i < k; ++i) {
      nlohmann::ordered_json entry = {{"class", order[i]}, {"score", scores[order[i]]}};
      if (labels.size() == scores.size()) entry["label"] = labels[order[i]];
      best.push_back(entry);
    }
    top.push_back(best);
  }
  out["top"] = top;
  return out;
}

void print_human(const nlohmann::ordered_json& report) {
  std::cout << std::setprecision(7);
  for (const auto& in : report["inputs"])
    std::cout << "input      " << in["name"].get<std::string>() << " " << in["shape"].dump()
              << " <- " << in["file"].get<std::string>() << "\n";
  if (report.contains("objective")) {
    const auto& o = report["objective"];
    std::cout << "objective  " << o["text"].get<std::string>() << " = " << std::setprecision(10)
              << o["value"].get<double>() << std::setprecision(7);
    if (o["per_image"].size() > 1) std::cout << " (per image: " << o["per_image"].dump() << ")";
    std::cout << "\n";
  }
  for (const auto& s : report["saved"])
    std::cout << "saved      " << s["tensor"].get<std::string>() << " " << s["shape"].dump()
              << " -> " << s["file"].get<std::string>() << "\n";
  if (report.contains("gradient")) {
    const auto& g = report["gradient"];
    std::cout << "gradient   d(objective)/d(" << g["input"].get<std::string>() << ") "
              << g["shape"].dump() << " -> " << g["file"].get<std::string>() << "\n";
  }
  if (report.contains("labels_note")) std::cout << report["labels_note"].get<std::string>() << "\n";
  for (const auto& out : report.value("outputs", nlohmann::ordered_json::array())) {
    std::cout << "output     " << out["name"].get<std::string>() << " " << out["shape"].dump()
              << "  min " << out["min"].get<double>() << "  max " << out["max"].get<double>()
              << "  mean " << out["mean"].get<double>() << "\n";
    if (!out.contains("top")) continue;
    for (size_t image = 0; image < out["top"].size(); ++image) {
      std::cout << "  image " << image << ", top " << out["top"][image].size() << ":\n";
      for (const auto& entry : out["top"][image]) {
        std::cout << "    class " << std::left << std::setw(6) << entry["class"].get<int64_t>()
                  << std::right << std::fixed << std::setprecision(6) << std::setw(12)
                  << entry["score"].get<double>() << std::defaultfloat << std::setprecision(7);
        if (entry.contains("label")) std::cout << "  " << entry["label"].get<std::string>();
        std::cout << "\n";
      }
    }
  }
}

// What the command line asks for besides the inputs; UsageError for what it alone can reject.
struct EvalRequest {
  std::vector<SaveRequest> saves;
  std::optional<std::string> objective;
  std::optional<std::filesystem::path> grad_file;

  static EvalRequest parse(const Args& args) {
    EvalRequest request{parse_saves(args), objective_flag(args), args.value("grad")};
    if (request.grad_file && !request.objective)
      throw usage_error("--grad needs --objective (what to differentiate)");
    return request;
  }
  std::vector<std::pair<std::string, std::filesystem::path>> output_files() const {
    std::vector<std::pair<std::string, std::filesystem::path>> files;
    for (const SaveRequest& s : saves) files.emplace_back("--save " + s.tensor, s.file);
    if (grad_file) files.emplace_back("--grad", *grad_file);
    return files;
  }
};

// Evaluates the objective on the forward results. With `for_backward` its gradient goes into the
// network's output gradients, ready for backward(); otherwise (the network was compiled without
// gradients) into scratch buffers.
nlohmann::ordered_json evaluate_objective(Network& net, const Objective& objective,
                                          bool for_backward) {
  std::map<std::string, Tensor> scratch;
  BoundObjective bound(
      objective, [&](const std::string& n) -> const Tensor& { return net.output(n); },
      [&](const std::string& n) -> Tensor& {
        if (for_backward) return net.output_gradient(n);
        return scratch.try_emplace(n, net.output(n).shape()).first->second;
      });
  const std::vector<double>& per_image = bound.evaluate();
  return {{"text", objective.describe()}, {"value", bound.total()}, {"per_image", per_image}};
}

// Adds "outputs" (and "labels_note" when the labels file does not fit) to the report.
void summarize_outputs(const Model& model, const Network& net,
                       const std::vector<std::string>& names, nlohmann::ordered_json& report) {
  const std::vector<std::string> labels = load_labels(model);  // empty when there are none
  report["outputs"] = nlohmann::ordered_json::array();
  for (const std::string& name : names) {
    const Tensor& value = net.output(name);
    report["outputs"].push_back(summarize_output(name, value, labels));
    const int64_t classes = value.rank() >= 2 ? value.dim(1) : 0;
    if (!labels.empty() && classes > 1 && labels.size() != static_cast<size_t>(classes))
      report["labels_note"] = "note: the labels file next to the model has " +
                              std::to_string(labels.size()) + " names for " +
                              std::to_string(classes) + " classes; not used";
  }
}

int run_eval(const Args& args) {
  const EvalRequest request = EvalRequest::parse(args);
  const Model model = Model::load(args.positional(0));
  const std::vector<InputFile> inputs = read_inputs(model, args);
  const std::optional<Objective> objective = build_objective(model, request.objective);
  const std::vector<std::string> tensors = requested_tensors(model, request.saves, objective);
  check_output_files(request.output_files());  // before the work, so a typo costs nothing

  NetworkOptions options{.outputs = tensors,
                         .gradients = request.grad_file.has_value(),
                         .precision = precision_from(args)};
  for (const InputFile& in : inputs) options.input_shapes[in.name] = in.value.shape();
  // Tensors only the objective reads are computed where it reads them, as when rendering.
  if (objective)
    for (const auto& read : objective->channels_read())
      if (std::none_of(request.saves.begin(), request.saves.end(),
                       [&](const SaveRequest& s) { return s.tensor == read.first; }))
        options.read_channels.insert(read);
  Network net(model, options);
  nlohmann::ordered_json report = {{"model", model.path().string()},
                                   {"inputs", nlohmann::ordered_json::array()},
                                   {"saved", nlohmann::ordered_json::array()}};
  for (const InputFile& in : inputs) {
    std::copy(in.value.values().begin(), in.value.values().end(),
              net.input(in.name).values().begin());
    report["inputs"].push_back(
        {{"name", in.name}, {"file", in.file.string()}, {"shape", in.value.shape()}});
  }
  net.forward();

  // Everything that can fail on the model's content has run; now the products.
  if (objective) report["objective"] = evaluate_objective(net, *objective, options.gradients);
  for (const SaveRequest& s : request.saves) {
    const Tensor& value = net.output(s.tensor);
    write_npy(s.file, value);
    report["saved"].push_back(
        {{"tensor", s.tensor}, {"file", s.file.string()}, {"shape", value.shape()}});
  }
  if (request.grad_file) {
    net.backward();
    const std::string& input = inputs.front().name;  // image models have one input
    const Tensor& gradient = net.input_gradient(input);
    write_npy(*request.grad_file, gradient);
    report["gradient"] = {
        {"input", input}, {"file", request.grad_file->string()}, {"shape", gradient.shape()}};
  }
  if (request.saves.empty() && !request.objective) summarize_outputs(model, net, tensors, report);

  if (args.has("json"))
    print_json(report);
  else
    print_human(report);
  return 0;
}

}  // namespace

extern const Command kEvalCommand{
    .spec = {.name = "eval",
             .summary = "Run a model on an input .npy: save tensors, an objective and its "
                        "gradient.",
             .positionals = {{"MODEL", "the ONNX model file"}},
             .flags = {{.name = "input",
                        .value = "[NAME=]X.npy",
                        .help = "the raw network input, float32 NCHW; its shape sets the size "
                                "(one per input; NAME= for multi-input models)",
                        .repeated = true},
                       {.name = "save",
                        .value = "TENSOR=FILE.npy",
                        .help = "write a tensor's value (float32, C order)",
                        .repeated = true},
                       {.name = "objective",
                        .value = "OBJECTIVE",
                        .help = "print an objective's value: TENSOR:C (total square activity "
                                "of channel C), layer(T), class(LABEL)... (docs/objectives.md)"},
                       {.name = "grad",
                        .value = "FILE.npy",
                        .help = "write d(objective)/d(input) (needs --objective)"},
                       precision_flag(),
                       {.name = "json", .help = "print one JSON document"}},
             .details =
                 "Without --save or --objective, prints each model output's statistics and, for\n"
                 "classifier outputs, the top-5 classes (named from <model>.labels.txt or\n"
                 "labels.txt next to the model, if present). Objectives may combine terms:\n"
                 "'inception_4d/output:97 - 0.5*inception_4d/output:12'. Output files are\n"
                 "written whole or not at all. Exit codes: 0 success, 1 bad model, file,\n"
                 "tensor or value, 2 bad command line."},
    .run = run_eval};

}  // namespace neuroscope::cli
