# Le code tapé dans la vidéo : la priorité des opérations
print(2 + 3 * 4)
print((2 + 3) * 4)
