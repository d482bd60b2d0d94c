META
key;value
description;ordinal ballots counted by points by position
budget;100
vote_type;ordinal
max_length;3
rule;greedy
PROJECTS
project_id;cost;name;score;selected
X;60;Plaza;5;0
Y;60;Puente;8;1
Z;40;Salón comunal;4;1
VOTES
voter_id;vote
1;X,Y,Z
2;Y
3;Y
4;Z,X
