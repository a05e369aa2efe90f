#include "util/closest.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace neuroscope::util {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Fewest insertions, deletions and substitutions turning `query` into `name` (whole name), or,
// with `anywhere`, into some substring of `name`: the alignment may start and end anywhere in
// `name` for free.
size_t edit_distance(std::string_view query, std::string_view name, bool anywhere) {
  std::vector<size_t> row(name.size() + 1);
  for (size_t j = 0; j <= name.size(); ++j) row[j] = anywhere ? 0 : j;
  for (size_t i = 1; i <= query.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= name.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (query[i - 1] == name[j - 1] ? 0 : 1);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return anywhere ? *std::min_element(row.begin(), row.end()) : row.back();
}

}  // namespace

std::vector<std::string> closest_names(std::string_view query,
                                       const std::vector<std::string>& names, size_t count) {
  const std::string q = lowercase(query);
  std::vector<std::tuple<size_t, size_t, size_t>> ranked;  // part distance, whole distance, index
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string n = lowercase(names[i]);
    ranked.emplace_back(edit_distance(q, n, true), edit_distance(q, n, false), i);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  for (size_t k = 0; k < ranked.size() && out.size() < count; ++k)
    out.push_back(names[std::get<2>(ranked[k])]);
  return out;
}

}  // namespace neuroscope::util
