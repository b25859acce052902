process.stdout.write('twsa: CLI under construction\n');
