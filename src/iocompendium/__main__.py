from iocompendium.cli import main

main()
