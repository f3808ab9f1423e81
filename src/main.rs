fn main() {
    std::process::exit(mendb::cli::main());
}
