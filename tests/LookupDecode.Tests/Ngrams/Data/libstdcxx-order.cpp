// Regenerates libstdcxx-order.txt: the iteration order libstdc++ (GCC 11+) gives a std::unordered_map<int, int>
// after inserting keys in a known order. NgramCache mirrors that order because llama.cpp's lookup breaks score
// ties by it. Build and run: g++ -O2 libstdcxx-order.cpp -o order && ./order > libstdcxx-order.txt
#include <cstdio>
#include <unordered_map>

int main() {
    const int sizes[] = {5, 14, 30, 61, 200};
    for (int n : sizes) {
        std::unordered_map<int, int> map;
        printf("insert");
        for (int i = 0; i < n; i++) {
            const int key = (int)((i * 7919L + 13) % 32000);
            map.emplace(key, i + 1);
            printf(" %d", key);
        }
        printf("\norder");
        for (const auto & entry : map) {
            printf(" %d", entry.first);
        }
        printf("\nbuckets %zu\n", map.bucket_count());
    }
    return 0;
}
