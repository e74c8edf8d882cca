// png_check FILE [MIN_WIDTH MIN_HEIGHT]: exits 0 when the PNG has the size and is not blank
// (many distinct colours), 1 otherwise. Used by the GUI smoke test under Xvfb.
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <set>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: png_check FILE [MIN_WIDTH MIN_HEIGHT]\n");
    return 1;
  }
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &n, 3);
  if (!px) {
    std::fprintf(stderr, "%s: not a readable image\n", argv[1]);
    return 1;
  }
  const int min_w = argc > 3 ? std::atoi(argv[2]) : 1, min_h = argc > 3 ? std::atoi(argv[3]) : 1;
  std::set<unsigned> colours;
  for (long i = 0; i < static_cast<long>(w) * h; i += 7)
    colours.insert((unsigned{px[i * 3]} << 16) | (unsigned{px[i * 3 + 1]} << 8) | px[i * 3 + 2]);
  stbi_image_free(px);
  std::printf("%s: %dx%d, %zu distinct colours (sampled)\n", argv[1], w, h, colours.size());
  if (w < min_w || h < min_h) return 1;
  return colours.size() >= 16 ? 0 : 1;  // a blank or single-colour frame fails
}
