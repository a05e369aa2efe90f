// cli/common.h: pieces several subcommands share: matching flag values to model inputs,
// checking output paths before any work, shapes with symbolic names, JSON.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neuroscope/model.h"
#include "neuroscope/tensor.h"

namespace neuroscope::cli {

// Assigns `[NAME=]VALUE` flag values to model inputs: the NAME= prefix is needed only when the
// model has several inputs. Returns input name -> VALUE; UsageError for an unknown or repeated
// input, or a missing prefix on a multi-input model. `flag` is "--input" etc. for messages.
std::map<std::string, std::string> assign_to_inputs(const Model& model,
                                                    const std::vector<std::string>& values,
                                                    const std::string& flag);

// Throws Error unless `given` fits `input`: same rank and, for [N, C, ...] inputs, the same
// channel count (batch and spatial sizes may differ). `what` names the given shape, e.g.
// "'x.npy' (shape [1,4,8,8])".
void check_fits_input(const Model& model, const ModelInput& input, const Shape& given,
                      const std::string& what);

// Checks, before any computation, that `files` can be written: distinct, not folders, and in
// folders that exist and are writable. Error names the flag and the file.
void check_output_files(const std::vector<std::pair<std::string, std::filesystem::path>>& files);

// A declared input shape with symbolic dimensions by name: "[N,3,H,W]" ("?" when unnamed).
std::string declared_shape(const ModelInput& input);
// The same as JSON: numbers for fixed dimensions, names (strings) for symbolic ones.
nlohmann::ordered_json declared_shape_json(const ModelInput& input);

// Writes a JSON document to stdout on one line (keys in insertion order).
void print_json(const nlohmann::ordered_json& document);

// The syntax of an --objective expression, checked before any model is loaded: a malformed one
// is a command-line error (exit code 2) that names the flag.
void check_objective_flag(const std::string& text);

}  // namespace neuroscope::cli
