META
key;value
description;Presupuesto participativo, comuna 1 (greedy: skips what does not fit)
country;Colombia
unit;Comuna 1
num_projects;4
num_votes;5
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category;votes;selected
A-01;50;"Parque; barrio norte";ambiente;5;1
B-02;40;"Biblioteca ""La Paz""";educación;4;1
C-03;30;Cancha;deporte;3;0
D-04;10;Murales;cultura;2;1
VOTES
voter_id;age;vote
1;34;A-01,B-02,C-03,D-04
2;51;A-01,B-02,C-03,D-04
3;22;A-01,B-02,C-03
4;45;A-01,B-02
5;60;A-01
