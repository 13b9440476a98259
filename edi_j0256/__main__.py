from edi_j0256.cli import main

main()
