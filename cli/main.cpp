// tickerctl's entry point; the commands live in tickerctl_commands.cpp so they can be tested.
#include "tickerctl_commands.hpp"

int main(int argc, char** argv) {
    return liveticker::tickerctl::run(argc, argv, liveticker::tickerctl::process_environment());
}
