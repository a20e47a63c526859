// Defines std::ios_base_library_init(), the one symbol TorchSharp's libLibTorchSharp.so needs from
// GLIBCXX_3.4.32 (GCC 13.2+). GCC 13 emits a reference to it from every object that includes
// <iostream>, so that iostreams are initialised before use. Older libstdc++ initialises them with
// a static std::ios_base::Init instead, which is exactly what this does. See docs/NATIVE.md.
#include <ios>

namespace std {
void ios_base_library_init() {
    static ios_base::Init init;
}
}  // namespace std
