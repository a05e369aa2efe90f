#include <iostream>

#include "neuroscope/error.h"
#include "neuroscope/model.h"

int main(int argc, char** argv) {
  try {
    if (argc < 3) return 2;
    auto model = neuroscope::Model::load(argv[2]);
    for (const auto& t : model.tensors()) std::cout << t.name << " " << t.op << " " << neuroscope::to_string(t.shape) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
