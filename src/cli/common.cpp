#include "cli/common.h"

#include <unistd.h>

#include <iostream>
#include <set>

#include "cli/args.h"
#include "neuroscope/error.h"
#include "neuroscope/objective.h"

namespace neuroscope::cli {
namespace {

std::string input_list(const std::vector<ModelInput>& inputs) {
  std::string list;
  for (const ModelInput& in : inputs) list += (list.empty() ? "" : ", ") + in.name;
  return list;
}

}  // namespace

std::map<std::string, std::string> assign_to_inputs(const Model& model,
                                                    const std::vector<std::string>& values,
                                                    const std::string& flag) {
  const std::vector<ModelInput> inputs = model.inputs();
  std::map<std::string, std::string> assigned;
  for (const std::string& value : values) {
    std::string name, rest = value;
    const size_t equals = value.find('=');
    const std::string prefix = value.substr(0, equals == std::string::npos ? 0 : equals);
    const bool named = std::any_of(inputs.begin(), inputs.end(),
                                   [&](const ModelInput& in) { return in.name == prefix; });
    if (named) {
      name = prefix;
      rest = value.substr(equals + 1);
    } else if (inputs.size() == 1) {
      name = inputs.front().name;
    } else {
      throw usage_error(flag, " '", value, "': the model has ", inputs.size(), " inputs (",
                        input_list(inputs), "); write ", flag, " NAME=...");
    }
    if (!assigned.emplace(name, rest).second)
      throw usage_error(flag, " is given twice for input '", name, "'");
  }
  return assigned;
}

void check_fits_input(const Model& model, const ModelInput& input, const Shape& given,
                      const std::string& what) {
  const std::string mismatch = what + " does not fit input '" + input.name + "' of " +
                               model.path().string() + ", which takes " + declared_shape(input);
  if (!input.shape.empty() && given.size() != input.shape.size())
    throw error(mismatch, " (rank ", input.shape.size(), ", not ", given.size(), ")");
  // The channel count is fixed by the weights; batch and spatial sizes may change.
  if (input.shape.size() >= 2 && input.shape[1] > 0 && given[1] != input.shape[1])
    throw error(mismatch, " (", input.shape[1], " channels, not ", given[1], ")");
}

void check_output_files(const std::vector<std::pair<std::string, std::filesystem::path>>& files) {
  namespace fs = std::filesystem;
  std::map<fs::path, std::string> seen;
  for (const auto& [flag, path] : files) {
    const fs::path normal = fs::absolute(path).lexically_normal();
    if (auto [it, fresh] = seen.emplace(normal, flag); !fresh)
      throw usage_error(flag, ": '", path.string(), "' is also written by ", it->second);
    std::error_code ec;
    if (fs::is_directory(path, ec))
      throw error(flag, ": cannot write '", path.string(), "': it is a folder");
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec))
      throw error(flag, ": cannot write '", path.string(), "': folder '", folder.string(),
                  "' does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
      throw error(flag, ": cannot write '", path.string(), "': folder '", folder.string(),
                  "' is not writable");
  }
}

std::string declared_shape(const ModelInput& input) {
  std::string text = "[";
  for (size_t k = 0; k < input.shape.size(); ++k) {
    if (k) text += ",";
    if (input.shape[k] >= 0)
      text += std::to_string(input.shape[k]);
    else if (k < input.dim_names.size() && !input.dim_names[k].empty())
      text += input.dim_names[k];
    else
      text += "?";
  }
  return text + "]";
}

nlohmann::ordered_json declared_shape_json(const ModelInput& input) {
  nlohmann::ordered_json dims = nlohmann::ordered_json::array();
  for (size_t k = 0; k < input.shape.size(); ++k) {
    if (input.shape[k] >= 0)
      dims.push_back(input.shape[k]);
    else if (k < input.dim_names.size() && !input.dim_names[k].empty())
      dims.push_back(input.dim_names[k]);
    else
      dims.push_back("?");
  }
  return dims;
}

void print_json(const nlohmann::ordered_json& document) {
  std::cout << document.dump() << "\n";
}

void check_objective_flag(const std::string& text) {
  try {
    check_objective_syntax(text);
  } catch (const Error& e) {  // "objective 'x:y': ..." -> "--objective 'x:y': ..."
    const std::string what = e.what();
    throw UsageError(what.starts_with("objective ") ? "--" + what : "--objective: " + what);
  }
}

}  // namespace neuroscope::cli
