// The live market tests (tests/Worker.Tests/Market) spend their time waiting for one-second blocks, one anvil per test
// class: four classes at a time instead of one per core, so the assembly's wall time is not the sum of its two longest
// classes (the CPU-heavy proving tests are in other assemblies, which `make test` runs one at a time).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
