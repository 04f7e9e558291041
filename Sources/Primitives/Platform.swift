// The C library, once for the whole package: every module that needs POSIX
// calls (sockets, mmap, pthreads, clock_gettime) writes `import Primitives`
// instead of repeating the `#if canImport(Glibc) … Musl … Darwin` block.

#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("Primitives needs a C library: Glibc, Musl or Darwin")
#endif
