// Objectives (neuroscope/objective.h): every term's value per image against a float64
// computation written here, its gradient against central finite differences of the term's own
// value, the parser (round trips, errors), class terms by label on the built-in model, and
// image-space terms through real Renderer runs.
#include "neuroscope/objective.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/npy.h"
#include "neuroscope/optimizer.h"
#include "neuroscope/param.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/render.h"
#include "neuroscope/visualize.h"
#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

const std::filesystem::path kBuiltInModel =
    std::filesystem::path(NEUROSCOPE_SOURCE_DIR) / "models" / "fashion_inception.onnx";

// Activations (and their gradients) by name, bound to an objective the way the renderer does.
struct Tensors {
  std::map<std::string, Tensor> values, grads;
  void add(const std::string& name, Tensor t) {
    grads[name] = Tensor(t.shape());
    values[name] = std::move(t);
  }
  // Binds `objective`; every gradient is zeroed first (evaluate() writes only the bound ones).
  BoundObjective bind(const Objective& objective) {
    for (auto& [name, g] : grads) g.fill(0.0f);
    return BoundObjective(
        objective, [this](const std::string& n) -> const Tensor& { return values.at(n); },
        [this](const std::string& n) -> Tensor& { return grads.at(n); });
  }
};

// Element (b, c, y, x) of a rank-4 tensor, as double.
double at(const Tensor& t, int64_t b, int64_t c, int64_t y = 0, int64_t x = 0) {
  const Shape& s = t.shape();
  const int64_t h = s.size() > 2 ? s[2] : 1, w = s.size() > 3 ? s[3] : 1;
  return t[((b * s[1] + c) * h + y) * w + x];
}

int64_t spatial(const Shape& s) {
  int64_t n = 1;
  for (size_t k = 2; k < s.size(); ++k) n *= s[k];
  return n;
}

// Compares the bound objective's values with `expected` (per image) and its gradient of the total
// with central finite differences (step h) on every element of every bound tensor.
void expect_values_and_gradient(Tensors& tensors, const Objective& objective,
                                const std::vector<double>& expected, double h = 1e-3,
                                double tolerance = 2e-3) {
  BoundObjective bound = tensors.bind(objective);
  const std::vector<double> values = bound.evaluate();
  ASSERT_EQ(values.size(), expected.size());
  double scale = 1e-12;
  for (double e : expected) scale = std::max(scale, std::abs(e));
  for (size_t b = 0; b < values.size(); ++b)
    EXPECT_NEAR(values[b], expected[b], 1e-5 * scale) << objective.describe() << ", image " << b;
  std::map<std::string, Tensor> grads = tensors.grads;  // evaluate() below overwrites them
  double worst = 0, largest = 1e-12;
  for (auto& [name, value] : tensors.values) {
    const Tensor& g = grads.at(name);
    for (int64_t i = 0; i < value.size(); ++i) {
      const float original = value[i];
      value[i] = original + static_cast<float>(h);
      bound.evaluate();
      const double plus = bound.total();
      value[i] = original - static_cast<float>(h);
      bound.evaluate();
      const double minus = bound.total();
      value[i] = original;
      const double fd = (plus - minus) / (2 * h);
      worst = std::max(worst, std::abs(fd - g[i]));
      largest = std::max(largest, std::abs(fd));
    }
  }
  EXPECT_LE(worst / largest, tolerance)
      << objective.describe() << ": gradient vs finite differences";
}

class TermTest : public ::testing::Test {
 protected:
  // Random activations [3,5,4,3] (odd sizes), mixed signs.
  Tensor acts = random_tensor({3, 5, 4, 3}, 1.0f, 7);
  Tensors tensors;
  void SetUp() override { tensors.add("t", acts); }
};

TEST_F(TermTest, ChannelTotalSquareActivity) {
  std::vector<double> expected(3, 0.0);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 3; ++x)
        expected[static_cast<size_t>(b)] += std::pow(at(acts, b, 2, y, x), 2);
  expect_values_and_gradient(tensors, Objective::channel("t", 2), expected);
}

TEST_F(TermTest, ChannelMean) {
  std::vector<double> expected(3, 0.0);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 3; ++x) expected[static_cast<size_t>(b)] += at(acts, b, 4, y, x) / 12;
  expect_values_and_gradient(tensors, Objective::channel_mean("t", 4), expected);
}

TEST_F(TermTest, NeuronAtTheCentreAndAtAPosition) {
  std::vector<double> centre, corner;
  for (int64_t b = 0; b < 3; ++b) {
    centre.push_back(at(acts, b, 1, 2, 1));  // H/2 = 2, W/2 = 1
    corner.push_back(at(acts, b, 3, 3, 0));
  }
  expect_values_and_gradient(tensors, Objective::neuron("t", 1), centre);
  expect_values_and_gradient(tensors, Objective::neuron("t", 3, std::pair<int64_t, int64_t>{3, 0}),
                             corner);
}

TEST_F(TermTest, LayerIsTheMeanSquareOfTheWholeTensorPerImage) {
  std::vector<double> expected(3, 0.0);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t i = 0; i < 60; ++i)
      expected[static_cast<size_t>(b)] += std::pow(acts[b * 60 + i], 2) / 60;
  expect_values_and_gradient(tensors, Objective::layer("t"), expected);
}

TEST_F(TermTest, DirectionIsTheDotProductSummedOverPositions) {
  const std::vector<float> v = {0.5f, -1.0f, 2.0f, 0.0f, 0.25f};
  std::vector<double> expected(3, 0.0);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t c = 0; c < 5; ++c)
      for (int64_t y = 0; y < 4; ++y)
        for (int64_t x = 0; x < 3; ++x)
          expected[static_cast<size_t>(b)] += v[static_cast<size_t>(c)] * at(acts, b, c, y, x);
  expect_values_and_gradient(tensors, Objective::direction("t", v), expected);
}

// Lucid's diversity, in float64: Gram matrices normalized, minus the mean cosine similarity.
std::vector<double> diversity_oracle(const Tensor& t) {
  const Shape& s = t.shape();
  const int64_t n = s[0], c = s[1], p = spatial(s);
  std::vector<std::vector<double>> grams(static_cast<size_t>(n));
  for (int64_t b = 0; b < n; ++b) {
    std::vector<double>& g = grams[static_cast<size_t>(b)];
    g.assign(static_cast<size_t>(c * c), 0.0);
    double norm = 0;
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < c; ++j) {
        double sum = 0;
        for (int64_t k = 0; k < p; ++k)
          sum += static_cast<double>(t[(b * c + i) * p + k]) * t[(b * c + j) * p + k];
        g[static_cast<size_t>(i * c + j)] = sum;
        norm += sum * sum;
      }
    for (double& v : g) v /= std::sqrt(norm);
  }
  std::vector<double> values(static_cast<size_t>(n), 0.0);
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < n; ++b) {
      if (a == b) continue;
      double dot = 0;
      for (int64_t i = 0; i < c * c; ++i)
        dot += grams[static_cast<size_t>(a)][static_cast<size_t>(i)] *
               grams[static_cast<size_t>(b)][static_cast<size_t>(i)];
      values[static_cast<size_t>(a)] -= dot / static_cast<double>(n - 1);
    }
  return values;
}

TEST_F(TermTest, DiversityIsMinusTheMeanCosineSimilarityOfGramMatrices) {
  expect_values_and_gradient(tensors, Objective::diversity("t"), diversity_oracle(acts));
  Tensors two;  // batch 2, other shape
  const Tensor small = random_tensor({2, 3, 5, 1}, 2.0f, 8);
  two.add("t", small);
  expect_values_and_gradient(two, Objective::diversity("t"), diversity_oracle(small));
}

TEST(ClassTerm, LogitProbabilityAndSoftmaxComputedFromLogits) {
  Tensors tensors;
  const Tensor logits = random_tensor({2, 7}, 2.0f, 9);
  Tensor prob({2, 7});
  std::vector<std::vector<double>> softmax(2);
  for (int64_t b = 0; b < 2; ++b) {
    double sum = 0;
    for (int64_t k = 0; k < 7; ++k) sum += std::exp(static_cast<double>(logits[b * 7 + k]));
    for (int64_t k = 0; k < 7; ++k) {
      softmax[static_cast<size_t>(b)].push_back(std::exp(static_cast<double>(logits[b * 7 + k])) /
                                                sum);
      prob[b * 7 + k] = static_cast<float>(softmax[static_cast<size_t>(b)].back());
    }
  }
  tensors.add("logits", logits);
  tensors.add("prob", prob);
  const ClassifierTensors with_softmax{"logits", "prob"}, without{"logits", ""};
  expect_values_and_gradient(tensors, Objective::class_score(with_softmax, ClassScore::kLogit, 3),
                             {logits[3], logits[10]});
  // Reading the Softmax output: the value is the element itself.
  expect_values_and_gradient(tensors,
                             Objective::class_score(with_softmax, ClassScore::kProbability, 5),
                             {prob[5], prob[12]});
  // No Softmax in the model: the term applies it to the logits.
  expect_values_and_gradient(tensors, Objective::class_score(without, ClassScore::kProbability, 5),
                             {softmax[0][5], softmax[1][5]}, 1e-3, 5e-3);
}

// Image-space terms in float64.
double total_variation(const Tensor& image, int64_t b) {
  const Shape& s = image.shape();
  double sum = 0;
  for (int64_t c = 0; c < s[1]; ++c)
    for (int64_t y = 0; y < s[2]; ++y)
      for (int64_t x = 0; x < s[3]; ++x) {
        if (y + 1 < s[2]) sum += std::abs(at(image, b, c, y + 1, x) - at(image, b, c, y, x));
        if (x + 1 < s[3]) sum += std::abs(at(image, b, c, y, x + 1) - at(image, b, c, y, x));
      }
  return sum;
}

TEST(ImageTerms, TotalVariationAndL1) {
  Tensors tensors;
  Tensor image = random_tensor({2, 3, 5, 4}, 0.5f, 10);
  for (float& v : image.values()) v += 0.5f;  // in [0,1]
  tensors.add(std::string(kImageTensor), image);
  expect_values_and_gradient(tensors, Objective::total_variation(),
                             {total_variation(image, 0), total_variation(image, 1)}, 1e-4);
  std::vector<double> l1(2, 0.0);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 60; ++i)
      l1[static_cast<size_t>(b)] += std::abs(image[b * 60 + i] - 0.5);
  expect_values_and_gradient(tensors, Objective::l1(0.5), l1, 1e-4);
  EXPECT_TRUE(Objective::total_variation().reads_image());
  EXPECT_TRUE(Objective::total_variation().tensors().empty()) << "tensors() lists network tensors";
}

TEST_F(TermTest, WeightedSumsAndSingleImages) {
  Tensor image = random_tensor({3, 1, 4, 4}, 0.5f, 11);
  tensors.add(std::string(kImageTensor), image);
  const Objective mix = Objective::channel("t", 2) - 0.5 * Objective::layer("t") +
                        2.0 * Objective::neuron("t", 0, {}, 1) -
                        0.25 * Objective::total_variation();
  std::vector<double> expected(3, 0.0);
  for (int64_t b = 0; b < 3; ++b) {
    double channel = 0, layer = 0;
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 3; ++x) channel += std::pow(at(acts, b, 2, y, x), 2);
    for (int64_t i = 0; i < 60; ++i) layer += std::pow(acts[b * 60 + i], 2) / 60;
    expected[static_cast<size_t>(b)] = channel - 0.5 * layer +
                                       (b == 1 ? 2.0 * at(acts, 1, 0, 2, 1) : 0.0) -
                                       0.25 * total_variation(image, b);
  }
  expect_values_and_gradient(tensors, mix, expected, 1e-4, 3e-3);
  EXPECT_EQ(mix.tensors(), std::vector<std::string>{"t"});
  EXPECT_TRUE(mix.reads_image());
}

TEST_F(TermTest, ChecksNameTheTensorChannelAndShape) {
  auto message = [&](const Objective& o) {
    try {
      tensors.bind(o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(Objective::channel_mean("t", 5))
                .find("channel 5 is out of range; 't' has 5 channels (0..4)"),
            std::string::npos);
  EXPECT_NE(message(Objective::neuron("t", 0, std::pair<int64_t, int64_t>{4, 0}))
                .find("outside 't', which is 4x3"),
            std::string::npos);
  EXPECT_NE(message(Objective::layer("t", 3)).find("image 3 is out of range for batch 3"),
            std::string::npos);
  EXPECT_NE(
      message(Objective::direction("t", {1.0f, 2.0f})).find("2 values but 't' has 5 channels"),
      std::string::npos);
  EXPECT_NE(message(Objective::class_score({"t", ""}, ClassScore::kLogit, 0)).find("[3,5,4,3]"),
            std::string::npos);
  Tensors one;
  one.add("t", random_tensor({1, 2, 2, 2}, 1.0f, 3));
  try {
    one.bind(Objective::diversity("t"));
    ADD_FAILURE() << "diversity of one image accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("batch has 1 image"), std::string::npos) << e.what();
  }
}

// ---- the parser ----

ObjectiveContext test_context(const std::vector<std::string>& labels) {
  return {.resolve_tensor = {}, .labels = labels, .classifier = {"fc", "prob"}};
}

TEST(ParseObjective, TheIssuesExampleAndWeights) {
  const Objective o = parse_objective("inception_4d/output:97 - 0.5*inception_4d/output:12");
  ASSERT_EQ(o.terms().size(), 2u);
  EXPECT_EQ(o.terms()[0].weight, 1.0);
  EXPECT_EQ(o.terms()[1].weight, -0.5);
  EXPECT_EQ(o.describe(), "inception_4d/output:97 - 0.5*inception_4d/output:12");
  EXPECT_EQ(o.tensors(), std::vector<std::string>{"inception_4d/output"});
}

// What Renderer compiles the network for (RenderSetup::read_channels): the channels of each
// tensor when every term on it reads one; a tensor some term reads whole is left out.
TEST(ParseObjective, ChannelsReadPerTensor) {
  using Read = std::map<std::string, std::vector<int64_t>>;
  EXPECT_EQ(parse_objective("m:97 - 0.5*m:12 + m:97@1").channels_read(), (Read{{"m", {12, 97}}}));
  EXPECT_EQ(parse_objective("channel_mean(a,3) + neuron(b,2) - 1e-3*tv").channels_read(),
            (Read{{"a", {3}}, {"b", {2}}}));
  EXPECT_EQ(parse_objective("a:1 + layer(a) + b:4").channels_read(), (Read{{"b", {4}}}));
  EXPECT_EQ(parse_objective("a:1 - 0.25*diversity(a)").channels_read(), Read{});
  EXPECT_EQ(parse_objective("l1").channels_read(), Read{});
}

TEST(ParseObjective, RoundTripsThroughDescribe) {
  TempDir dir;
  write_npy(dir / "v.npy", Tensor({4}, std::vector<float>{1, 2, 3, 4}));
  const std::string npy = (dir / "v.npy").string();
  const ObjectiveContext context = test_context({"tench, Tinca tinca", "goldfish", "a (b), c"});
  for (const std::string& text : std::vector<std::string>{
           "conv-1/x.y:3", "-2*a:1 + b-c:0@1", "channel_mean(mixed4a,3)", "neuron(m/x:0,2)",
           "neuron(m,2,3,4)@1", "layer(inception_4d/output)", "class(3)", "class(goldfish)",
           "prob(tench)", "class('a (b), c')", "direction(t," + npy + ")", "diversity(mixed4a)",
           "l1 - 1e-05*tv", "0.5*l1(0.5)@2 + tv@0", "layer(x) - 0.25*diversity(x) + x:1"}) {
    SCOPED_TRACE(text);
    const Objective once = parse_objective(text, context);
    const Objective twice = parse_objective(once.describe(), context);
    EXPECT_EQ(once.describe(), twice.describe());
    ASSERT_EQ(once.terms().size(), twice.terms().size());
    for (size_t i = 0; i < once.terms().size(); ++i) {
      EXPECT_EQ(once.terms()[i].weight, twice.terms()[i].weight);
      EXPECT_EQ(once.terms()[i].term->tensor(), twice.terms()[i].term->tensor());
    }
  }
}

TEST(ParseObjective, FunctionsBuildTheirTerms) {
  const ObjectiveContext context = test_context({"tench, Tinca tinca", "goldfish"});
  const Objective o = parse_objective(
      " 3*channel_mean( a:b , 2 ) -neuron(c,1)+ layer(d)@1 - 1e-3 * tv + class(Tinca tinca) "
      "+prob(1)",
      context);
  ASSERT_EQ(o.terms().size(), 6u);
  EXPECT_EQ(o.describe(),
            "3*channel_mean(a:b,2) - neuron(c,1) + layer(d)@1 - 0.001*tv + class(Tinca tinca) + "
            "prob(1)");
  EXPECT_EQ(o.terms()[4].term->tensor(), "fc");  // logits
  EXPECT_EQ(o.terms()[5].term->tensor(), "prob");
  EXPECT_EQ(o.tensors(), (std::vector<std::string>{"a:b", "c", "d", "fc", "prob"}));
  EXPECT_TRUE(o.reads_image());
  // Function names may start tensor names.
  EXPECT_EQ(parse_objective("tv-net/conv:3 - tv").describe(), "tv-net/conv:3 - tv");
  EXPECT_EQ(parse_objective("tv-l1:2").tensors(), std::vector<std::string>{"tv-l1"});
  EXPECT_EQ(parse_objective("l1-tv").describe(), "l1 - tv");
  EXPECT_EQ(parse_objective("layer:1+tv").describe(), "layer:1 + tv");
}

TEST(ParseObjective, ErrorsNameTheProblemAndPosition) {
  const ObjectiveContext context = test_context({"crane", "crane", "goldfish"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"conv2", "expected TENSOR:CHANNEL or a function such as layer(TENSOR) at character 1"},
      {"conv2:1 * 3", "channel must be a non-negative integer, not '1 * 3' at character 7"},
      {"conv2:1 +", "at character 10"},
      {"", "objective is empty"},
      {"layer(a", "missing ')' at character 7"},
      {"neuron(a,1,2)",
       "neuron takes neuron(TENSOR,CHANNEL[,Y,X]), not 3 arguments at character 7"},
      {"channel_mean(a,x)", "channel must be a non-negative integer, not 'x' at character 16"},
      {"layer(a) layer(b)", "expected '+' or '-' at character 10"},
      {"class(crane)", "ambiguous: it names classes 0, 1"},
      {"class(goldfsh)", "no class labelled 'goldfsh'; closest labels: 'goldfish'"},
      {"l1(x)", "'x' is not a number at character 4"},
      {"tv@", "image index must be a non-negative integer"},
      {"class('x", "unterminated quote"},
      {"diversity(a)@1", "takes no @IMAGE"},
  };
  for (const auto& [text, wanted] : cases) {
    SCOPED_TRACE(text);
    try {
      parse_objective(text, context);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(wanted), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line";
    }
  }
  // Without a model there are no class tensors; the syntax alone is still checked.
  EXPECT_THROW(parse_objective("class(3)"), Error);
  EXPECT_NO_THROW(check_objective_syntax("class(anything) - 0.5*tv + neuron(a,1,2,3)"));
  EXPECT_THROW(check_objective_syntax("neuron(a,1,2)"), Error);
}

TEST(ParseObjective, DirectionReadsItsVector) {
  TempDir dir;
  write_npy(dir / "v.npy", Tensor({3}, std::vector<float>{1, -2, 0.5f}));
  write_npy(dir / "m.npy", Tensor({2, 3}));
  Tensors tensors;
  const Tensor acts = random_tensor({2, 3, 2, 2}, 1.0f, 12);
  tensors.add("t", acts);
  BoundObjective bound =
      tensors.bind(parse_objective("direction(t," + (dir / "v.npy").string() + ")"));
  const double expected = [&] {
    double sum = 0;
    const double v[] = {1, -2, 0.5};
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < 4; ++i) sum += v[c] * acts[(1 * 3 + c) * 4 + i];
    return sum;
  }();
  EXPECT_NEAR(bound.evaluate()[1], expected, 1e-5 * std::abs(expected));
  EXPECT_THROW(parse_objective("direction(t," + (dir / "m.npy").string() + ")"), Error);
  EXPECT_THROW(parse_objective("direction(t," + (dir / "missing.npy").string() + ")"), Error);
}

// ---- on the built-in model ----

TEST(ClassObjective, ByLabelOnTheBuiltInModel) {
  const Model model = Model::load(kBuiltInModel);
  const ClassifierTensors found = classifier_tensors(model);
  EXPECT_EQ(found.logits, "logits");
  EXPECT_EQ(found.probabilities, "prob");
  const ObjectiveContext context = ObjectiveContext::for_model(model);
  const std::vector<std::string> labels = load_labels(model);
  ASSERT_EQ(labels.size(), 10u);
  const auto sneaker =
      static_cast<int64_t>(std::find(labels.begin(), labels.end(), "Sneaker") - labels.begin());
  ASSERT_LT(sneaker, 10);
  const Objective logit = parse_objective("class(sneaker)", context);
  const Objective prob = parse_objective("prob(Sneaker)", context);

  Network net(model, {.input_shapes = {{model.inputs().front().name, {2, 1, 28, 28}}},
                      .outputs = {"logits", "prob"},
                      .gradients = false});
  const Tensor x = random_tensor({2, 1, 28, 28}, 1.0f, 13);
  std::copy(x.values().begin(), x.values().end(), net.input().values().begin());
  net.forward();
  std::map<std::string, Tensor> scratch;
  auto bind = [&](const Objective& o) {
    return BoundObjective(
        o, [&](const std::string& n) -> const Tensor& { return net.output(n); },
        [&](const std::string& n) -> Tensor& {
          return scratch.try_emplace(n, net.output(n).shape()).first->second;
        });
  };
  BoundObjective bound_logit = bind(logit), bound_prob = bind(prob);
  const std::vector<double> logits = bound_logit.evaluate(), probs = bound_prob.evaluate();
  const Tensor& z = net.output("logits");
  for (int64_t b = 0; b < 2; ++b) {
    EXPECT_EQ(logits[static_cast<size_t>(b)], z[b * 10 + sneaker]);
    double sum = 0;
    for (int64_t k = 0; k < 10; ++k) sum += std::exp(static_cast<double>(z[b * 10 + k]));
    EXPECT_NEAR(probs[static_cast<size_t>(b)],
                std::exp(static_cast<double>(z[b * 10 + sneaker])) / sum, 1e-5);
  }
  try {
    parse_objective("class(Sneakers) + inception_a/outptu:1", context);
    ADD_FAILURE() << "misspelt label accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("closest labels: 'Sneaker'"), std::string::npos)
        << e.what();
  }
  try {
    parse_objective("layer(inception_a/outptu)", context);
    ADD_FAILURE() << "misspelt tensor accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inception_a/output"), std::string::npos) << e.what();
  }
}

class RenderImageTerms : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_unique<Model>(Model::load(kBuiltInModel));
    pre_ = resolve_preprocessing(*model_, {});
  }
  RenderResult render(
      const Objective& objective, int steps,
      std::unique_ptr<Optimizer> optimizer = make_normalized_ascent(kReferenceStepSize)) {
    Renderer r(*model_,
               {.preprocessing = pre_,
                .height = 28,
                .width = 28,
                .batch = 2,
                .tensors = {"inception_a/output", std::string(kImageTensor)},
                .steps = steps},
               make_pixel_param(), TransformChain(), std::move(optimizer));
    const uint64_t keys[] = {3, 4};
    return r.run(objective, keys, 5);
  }
  // The network terms' value for image b of `images`, from a separate forward pass.
  double network_value(const Objective& objective, const Tensor& images, int64_t b) {
    Network net(*model_, {.input_shapes = {{model_->inputs().front().name, {2, 1, 28, 28}}},
                          .outputs = objective.tensors(),
                          .gradients = false});
    pre_.apply(images, net.input());
    net.forward();
    std::map<std::string, Tensor> scratch;
    BoundObjective bound(
        objective, [&](const std::string& n) -> const Tensor& { return net.output(n); },
        [&](const std::string& n) -> Tensor& {
          return scratch.try_emplace(n, net.output(n).shape()).first->second;
        });
    return bound.evaluate()[static_cast<size_t>(b)];
  }
  std::unique_ptr<Model> model_;
  Preprocessing pre_;
};

TEST_F(RenderImageTerms, ReportedValuesIncludeTheTotalVariation) {
  const Objective channel = parse_objective("inception_a/output:3");
  const RenderResult r = render(channel - 0.01 * Objective::total_variation(), 4);
  for (int64_t b = 0; b < 2; ++b) {
    const double expected =
        network_value(channel, r.images, b) - 0.01 * total_variation(r.images, b);
    EXPECT_NEAR(r.values[static_cast<size_t>(b)], expected, 1e-4 * std::abs(expected))
        << "image " << b;
    EXPECT_GT(0.01 * total_variation(r.images, b), 1e-3 * std::abs(expected))
        << "the TV term must matter for this check to mean anything";
  }
}

TEST_F(RenderImageTerms, MaximizingMinusTvAloneSmoothsTheImage) {
  const Objective smooth = parse_objective("-tv");
  // Small Adam steps: TV's gradient is a sign pattern, large steps only flip it back and forth.
  const RenderResult start = render(smooth, 0), end = render(smooth, 40, make_adam(0.005f));
  for (int64_t b = 0; b < 2; ++b) {
    const double before = total_variation(start.images, b), after = total_variation(end.images, b);
    EXPECT_LT(after, 0.5 * before) << "image " << b;
    EXPECT_NEAR(end.values[static_cast<size_t>(b)], -after, 1e-4 * after);
  }
  EXPECT_EQ(end.rescued_steps, (std::vector<int>{0, 0})) << "no network term, nothing silent";
}

// Grids compute only what a batch reads (RenderSetup::read_channels): a channel's image has the
// same bits alone or in a batch that reads other branches, or a wider run of its own branch;
// batches reading channels the last network skipped get a network of their own.
TEST(VisualizeChannels, SameImageAloneOrInABatchReadingOtherBranches) {
  const Model model = Model::load(kBuiltInModel);
  const Preprocessing pre = resolve_preprocessing(model, {});
  FeatureOptions options;
  options.recipe.steps = 4;
  options.batch = 2;
  const std::string layer = "inception_a/output";  // 1x1: 0-31, 3x3: 32-79, 5x5: 80-95
  // Batches {3, 40}: 1x1 and 3x3; {41, 52}: 32 channels of 3x3; {60, 85}: 3x3 and 5x5.
  const std::vector<int64_t> channels = {3, 40, 41, 52, 60, 85};
  const ChannelImages batched = visualize_channels(model, pre, layer, channels, options);
  options.batch = 1;
  for (size_t i = 0; i < channels.size(); ++i) {
    const ChannelImages alone = visualize_channels(model, pre, layer, {channels[i]}, options);
    const Tensor expected = batch_item(batched.images, static_cast<int64_t>(i));
    const Tensor got = batch_item(alone.images, 0);
    EXPECT_TRUE(std::equal(got.values().begin(), got.values().end(), expected.values().begin()))
        << "channel " << channels[i];
    EXPECT_EQ(alone.values[0], batched.values[i]) << "channel " << channels[i];
    EXPECT_GT(alone.values[0], 0.0) << "channel " << channels[i];
  }
}

}  // namespace
}  // namespace neuroscope::testing
